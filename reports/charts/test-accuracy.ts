/** Test accuracy along training, for suites that evaluate one (networks on data sets), one line per estimator. */
import { trainingResult } from '../../core/types.js';
import { suiteVariants } from '../cells.js';
import { axis, chartSize, commonOptions, type ChartDefinition } from './chart.js';
import { lineLook, withAlpha } from './palette.js';
import { heightForLegend, shownSeries } from './series.js';
import { cellTip, valueLine } from './tips.js';
import { sparseMarkers } from './training-curves.js';

export const testAccuracyChart: ChartDefinition = {
  id: 'test-accuracy',
  title: 'Test accuracy along training',
  howToGet: 'run a suite that evaluates test accuracy (mnist-quantized-mlp) with --steps above 0',
  plan(results, styles) {
    return suiteVariants(results).flatMap((variant) => {
      const lines = shownSeries(results, variant.cells).flatMap((series) => {
        const accuracy = trainingResult(series.cell.metrics)?.trainingMetrics?.testAccuracy;
        return accuracy && accuracy.curve.step.length > 1 ? [{ series, cell: series.cell, accuracy, seeds: trainingResult(series.cell.metrics)!.trainingSeeds, label: series.label }] : [];
      });
      if (lines.length === 0) return [];
      const datasets = lines.flatMap(({ series, cell, accuracy, label }) => {
        const colourKey = series.styleKey;
        const { curve } = accuracy;
        const points = (values: number[]) => curve.step.map((step, index) => ({ x: step, y: 100 * values[index] }));
        const meanPoints = curve.step.map((step, index) => ({
          x: step, y: 100 * curve.mean[index],
          tip: cellTip(results, cell, [`step ${step}`, valueLine('test accuracy (mean over seeds)', 100 * curve.mean[index], undefined, '%'), `seeds: min ${Number((100 * curve.min[index]).toPrecision(3))}%, max ${Number((100 * curve.max[index]).toPrecision(3))}%`]),
        }));
        const backends = series.backends;
        return [
          { label, data: meanPoints, ...lineLook(styles, colourKey, cell.backend), pointRadius: sparseMarkers(curve.step.length, 4), pointHitRadius: 4, borderWidth: 2.5, fill: false, backends },
          { label: '', data: points(curve.min), borderWidth: 0, pointRadius: 0, pointHitRadius: 0, fill: false, backends },
          { label: '', data: points(curve.max), borderWidth: 0, pointRadius: 0, pointHitRadius: 0, backgroundColor: withAlpha(styles.estimator(colourKey).colour, 0.15), fill: '-1', backends },
        ];
      });
      const { seeds } = lines[0];
      const title = `Test accuracy: ${variant.title}`;
      return [{
        file: `test-accuracy-${variant.slug}.png`,
        title,
        suite: variant.suite,
        ...(variant.nodeKind ? { nodeKind: variant.nodeKind } : {}),
        height: heightForLegend(lines.map(({ label }) => label), chartSize.height),
        caption: `Accuracy on the held-out test digits along training; line: mean over ${seeds} seeds, band: min to max. Chance is 10%.`,
        configuration: {
          type: 'line',
          data: { datasets },
          options: {
            ...commonOptions(title, `mean over ${seeds} seeds (band: min–max) · chance: 10%`),
            scales: { x: axis('linear', 'training step'), y: { ...axis('linear', 'test accuracy', '%'), min: 0, max: 100 } },
          },
        },
      }];
    });
  },
};
