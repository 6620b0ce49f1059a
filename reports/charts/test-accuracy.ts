/** Test accuracy along training, for suites that evaluate one (networks on data sets). */
import { backendCount, completedCells } from '../cells.js';
import { axis, commonOptions, fileSafe, seriesLabel, type ChartDefinition } from './chart.js';
import { lineLook, withAlpha } from './palette.js';

export const testAccuracyChart: ChartDefinition = {
  id: 'test-accuracy',
  title: 'Test accuracy along training',
  howToGet: 'run a suite that evaluates test accuracy (mnist-quantized-mlp) with --steps above 0',
  plan(results, styles) {
    return results.config.suites.flatMap((suite) => {
      const cells = completedCells(results, suite).filter((cell) => (cell.metrics.trainingMetrics?.testAccuracy?.curve.step.length ?? 0) > 1);
      if (cells.length === 0) return [];
      const datasets = cells.flatMap((cell) => {
        const { curve } = cell.metrics.trainingMetrics!.testAccuracy;
        const points = (values: number[]) => curve.step.map((step, index) => ({ x: step, y: 100 * values[index] }));
        return [
          { label: seriesLabel(cell.estimator, cell.backend, backendCount(results)), data: points(curve.mean), ...lineLook(styles, cell.estimator, cell.backend), pointRadius: 3, borderWidth: 2.5, fill: false },
          { label: '', data: points(curve.min), borderWidth: 0, pointRadius: 0, fill: false },
          { label: '', data: points(curve.max), borderWidth: 0, pointRadius: 0, backgroundColor: withAlpha(styles.estimator(cell.estimator).colour, 0.15), fill: '-1' },
        ];
      });
      const seeds = cells[0].metrics.trainingSeeds;
      const title = `Test accuracy: ${suite}`;
      return [{
        file: `test-accuracy-${fileSafe(suite)}.png`,
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
