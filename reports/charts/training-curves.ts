/** Training curves: exact loss against optimiser step, mean over seeds with a min–max band, one line per estimator. */
import { trainingResult, type OptimizerId } from '../../core/types.js';
import { suiteVariants } from '../cells.js';
import { axis, chartSize, commonOptions, scaleTypeFor, type ChartDefinition } from './chart.js';
import { lineLook, withAlpha } from './palette.js';
import { heightForLegend, shownSeries } from './series.js';
import { cellTip, valueLine } from './tips.js';

/** How the chart's subtitle names each optimiser. */
const optimizerLabels: Readonly<Record<OptimizerId, string>> = { adam: 'Adam', sgd: 'SGD', 'sgd-momentum': 'SGD with momentum 0.9' };

/** About this many markers per line: enough to tell same-coloured lines apart, few enough not to bury the line. */
export const markersPerLine = 12;

/** Marker radius per point: markers on every `ceil(n / markersPerLine)`-th point and the last, none elsewhere (hover still finds every point). */
export function sparseMarkers(count: number, radius: number): number[] {
  const every = Math.max(1, Math.ceil(count / markersPerLine));
  return Array.from({ length: count }, (_, index) => (index % every === 0 || index === count - 1 ? radius : 0));
}

export const trainingCurvesChart: ChartDefinition = {
  id: 'training-curves',
  title: 'Training curves',
  howToGet: 'run a benchmark with --steps above 0',
  plan(results, styles) {
    return suiteVariants(results).flatMap((variant) => {
      const lines = shownSeries(results, variant.cells).flatMap((series) => {
        const training = trainingResult(series.cell.metrics);
        return training && training.lossCurve.step.length > 1 ? [{ series, cell: series.cell, training, label: series.label }] : [];
      });
      if (lines.length === 0) return [];
      const datasets = lines.flatMap(({ series, cell, training, label }) => {
        const colourKey = series.styleKey;
        const look = styles.estimator(colourKey);
        const curve = training.lossCurve;
        const points = (values: number[]) => curve.step.map((step, index) => ({ x: step, y: values[index] }));
        const meanPoints = curve.step.map((step, index) => ({
          x: step, y: curve.loss[index],
          tip: cellTip(results, cell, [`step ${step}`, valueLine('loss (mean over seeds)', curve.loss[index]), `seeds: min ${Number(curve.lossMin[index].toPrecision(4))}, max ${Number(curve.lossMax[index].toPrecision(4))}`]),
        }));
        const line = { ...lineLook(styles, colourKey, cell.backend), pointRadius: sparseMarkers(curve.step.length, 4), pointHitRadius: 4, borderWidth: 2.5, backends: series.backends };
        // The band: the max line filled down to the min line (the dataset just before it), unlabelled so the legend skips it.
        return [
          { label, data: meanPoints, ...line, fill: false },
          { label: '', data: points(curve.lossMin), borderWidth: 0, pointRadius: 0, pointHitRadius: 0, fill: false, backends: series.backends },
          { label: '', data: points(curve.lossMax), borderWidth: 0, pointRadius: 0, pointHitRadius: 0, backgroundColor: withAlpha(look.colour, 0.15), fill: '-1', backends: series.backends },
        ];
      });
      const seeds = lines[0].training.trainingSeeds;
      const { steps } = results.config.training;
      // What the cells trained with (the suite's defaults where the command line left an option unset);
      // files from before cells recorded it fall back to the run's options.
      const settings = lines[0].training.trainingSettings;
      const learningRate = settings?.learningRate ?? results.config.training.learningRate ?? 'per suite';
      const samplesPerStep = settings?.samplesPerStep ?? results.config.training.samplesPerStep ?? 'the suite\'s number of';
      const optimizer = optimizerLabels[settings?.optimizer ?? results.config.training.optimizer ?? 'adam'];
      const allLosses = lines.flatMap(({ training }) => [...training.lossCurve.lossMin, ...training.lossCurve.lossMax]);
      const title = `Training curves: ${variant.title}`;
      return [{
        file: `training-${variant.slug}.png`,
        title,
        suite: variant.suite,
        ...(variant.nodeKind ? { nodeKind: variant.nodeKind } : {}),
        height: heightForLegend(lines.map(({ label }) => label), chartSize.height),
        caption: `Training loss along ${steps} ${optimizer} steps (learning rate ${learningRate}, ${samplesPerStep} estimates per step); line: mean over ${seeds} seeds, band: min to max over seeds. ` +
          'One line per estimator (colour, marker and dash as in every chart); a backend whose final loss differs beyond noise gets its own line with hollow markers.',
        configuration: {
          type: 'line',
          data: { datasets },
          options: {
            ...commonOptions(title, `training loss, mean over ${seeds} seeds (band: min–max) · ${optimizer}, lr ${learningRate}, ${samplesPerStep} estimates per step`),
            scales: { x: axis('linear', 'training step'), y: axis(scaleTypeFor(allLosses), 'training loss (exact E[L] where the suite has it)', 'loss') },
          },
        },
      }];
    });
  },
};
