/** Training curves: exact loss against Adam step, mean over seeds with a min–max band. */
import { backendCount, completedCells } from '../cells.js';
import { axis, commonOptions, fileSafe, scaleTypeFor, seriesLabel, type ChartDefinition } from './chart.js';
import { lineLook, withAlpha } from './palette.js';

export const trainingCurvesChart: ChartDefinition = {
  id: 'training-curves',
  title: 'Training curves',
  howToGet: 'run a benchmark with --steps above 0',
  plan(results, styles) {
    return results.config.suites.flatMap((suite) => {
      const cells = completedCells(results, suite).filter((cell) => cell.metrics.lossCurve.step.length > 1);
      if (cells.length === 0) return [];
      const datasets = cells.flatMap((cell) => {
        const look = styles.estimator(cell.estimator);
        const curve = cell.metrics.lossCurve;
        const points = (values: number[]) => curve.step.map((step, index) => ({ x: step, y: values[index] }));
        const line = { ...lineLook(styles, cell.estimator, cell.backend), pointRadius: 0, borderWidth: 2.5 };
        // The band: the max line filled down to the min line (the dataset just before it), unlabelled so the legend skips it.
        return [
          { label: seriesLabel(cell.estimator, cell.backend, backendCount(results)), data: points(curve.loss), ...line, fill: false },
          { label: '', data: points(curve.lossMin), borderWidth: 0, pointRadius: 0, fill: false },
          { label: '', data: points(curve.lossMax), borderWidth: 0, pointRadius: 0, backgroundColor: withAlpha(look.colour, 0.15), fill: '-1' },
        ];
      });
      const seeds = cells[0].metrics.trainingSeeds;
      const { steps, learningRate, samplesPerStep } = results.config.training;
      const allLosses = cells.flatMap((cell) => [...cell.metrics.lossCurve.lossMin, ...cell.metrics.lossCurve.lossMax]);
      return [{
        file: `training-${fileSafe(suite)}.png`,
        title: `Training curves: ${suite}`,
        caption: `Exact loss E[L] along ${steps} Adam steps (learning rate ${learningRate}, ${samplesPerStep} estimates per step); line: mean over ${seeds} seeds, band: min to max over seeds.`,
        configuration: {
          type: 'line',
          data: { datasets },
          options: {
            ...commonOptions(`Training curves: ${suite}`, `exact loss, mean over ${seeds} seeds (band: min–max) · Adam, lr ${learningRate}, ${samplesPerStep} estimates per step`),
            scales: { x: axis('linear', 'training step'), y: axis(scaleTypeFor(allLosses), 'exact loss E[L]', 'loss') },
          },
        },
      }];
    });
  },
};
