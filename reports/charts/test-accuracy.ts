/** Test accuracy along training, for suites that evaluate one (networks on data sets), one line per estimator. */
import { trainingResult } from '../../core/types.js';
import { estimatorGroups, shownCells, suiteVariants, variantLabel } from '../cells.js';
import { axis, commonOptions, type ChartDefinition } from './chart.js';
import { lineLook, withAlpha } from './palette.js';

export const testAccuracyChart: ChartDefinition = {
  id: 'test-accuracy',
  title: 'Test accuracy along training',
  howToGet: 'run a suite that evaluates test accuracy (mnist-quantized-mlp) with --steps above 0',
  plan(results, styles) {
    return suiteVariants(results).flatMap((variant) => {
      const lines = estimatorGroups(results, variant.cells).flatMap((group) => shownCells(group).flatMap(({ cell, differs }) => {
        const accuracy = trainingResult(cell.metrics)?.trainingMetrics?.testAccuracy;
        return accuracy && accuracy.curve.step.length > 1 ? [{ cell, accuracy, seeds: trainingResult(cell.metrics)!.trainingSeeds, label: differs.length > 0 ? `${group.label} (${cell.backend})` : group.label }] : [];
      }));
      if (lines.length === 0) return [];
      const datasets = lines.flatMap(({ cell, accuracy, label }) => {
        const colourKey = variantLabel(results, cell.estimator, cell.estimatorParams);
        const { curve } = accuracy;
        const points = (values: number[]) => curve.step.map((step, index) => ({ x: step, y: 100 * values[index] }));
        return [
          { label, data: points(curve.mean), ...lineLook(styles, colourKey, cell.backend), pointRadius: 3, borderWidth: 2.5, fill: false },
          { label: '', data: points(curve.min), borderWidth: 0, pointRadius: 0, fill: false },
          { label: '', data: points(curve.max), borderWidth: 0, pointRadius: 0, backgroundColor: withAlpha(styles.estimator(colourKey).colour, 0.15), fill: '-1' },
        ];
      });
      const { seeds } = lines[0];
      const title = `Test accuracy: ${variant.title}`;
      return [{
        file: `test-accuracy-${variant.slug}.png`,
        title,
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
