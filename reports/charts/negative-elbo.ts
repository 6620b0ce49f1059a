/** Test −ELBO along training for the VAE suites (the figure of Jang et al. 2016 and the DisARM paper): one line per estimator. */
import type { TrainingMetricCurve } from '../../harness/types.js';
import { backendCount, completedCells } from '../cells.js';
import { axis, commonOptions, fileSafe, seriesLabel, type ChartDefinition } from './chart.js';
import { lineLook, withAlpha } from './palette.js';

/** The metric a VAE suite evaluates along training on its test images. */
const metric = 'testNegativeElbo';

export const negativeElboChart: ChartDefinition = {
  id: 'negative-elbo',
  title: 'Test −ELBO along training',
  howToGet: 'run a VAE suite (--suite mnist-binary-vae or mnist-categorical-vae) with --steps above 0',
  plan(results, styles) {
    return results.config.suites.flatMap((suite) => {
      const cells = completedCells(results, suite).flatMap((cell) => {
        const curve: TrainingMetricCurve | undefined = cell.metrics.trainingMetrics?.[metric];
        return curve && curve.curve.step.length > 1 ? [{ cell, curve }] : [];
      });
      if (cells.length === 0) return [];
      // Per estimator and backend: the mean over seeds, and a faint band from the lowest to the highest seed.
      const datasets = cells.flatMap(({ cell, curve }) => {
        const at = (values: number[]) => curve.curve.step.map((step, index) => ({ x: step, y: values[index] }));
        const colour = styles.estimator(cell.estimator).colour;
        return [
          { label: seriesLabel(cell.estimator, cell.backend, backendCount(results)), data: at(curve.curve.mean), ...lineLook(styles, cell.estimator, cell.backend), pointRadius: 0, borderWidth: 2.5, fill: false },
          { label: '', data: at(curve.curve.min), borderWidth: 0, pointRadius: 0, fill: false },
          { label: '', data: at(curve.curve.max), borderWidth: 0, pointRadius: 0, backgroundColor: withAlpha(colour, 0.15), fill: '-1' },
        ];
      });
      const seeds = cells[0].cell.metrics.trainingSeeds;
      const { steps } = results.config.training;
      // The first evaluations (before any training) sit hundreds of nats above the rest: start the axis after them.
      const late = cells.flatMap(({ curve }) => curve.curve.mean.slice(Math.floor(curve.curve.mean.length / 4)));
      const lowest = Math.min(...cells.flatMap(({ curve }) => curve.curve.min));
      const finals = cells.map(({ cell, curve }) => `${cell.estimator} ${curve.final.toFixed(1)} ± ${curve.finalStdErr.toFixed(1)}`).join(', ');
      return [{
        file: `negative-elbo-${fileSafe(suite)}.png`,
        title: `Test −ELBO along training: ${suite}`,
        caption: `Mean −ELBO per test image (nats; closed-form KL, one latent sample per image) along ${steps} training steps; line: mean over ${seeds} seeds, band: lowest to highest seed. Lower is better; the axis shows the last three quarters of training (the first steps fall from about 550 nats). After the last step: ${finals}.`,
        configuration: {
          type: 'line',
          data: { datasets },
          options: {
            ...commonOptions(`Test −ELBO along training: ${suite}`, `mean over ${seeds} seeds (band: min–max) · lower is better`),
            scales: {
              x: axis('linear', 'training step'),
              y: { ...axis('linear', '−ELBO per test image', 'nats'), min: Math.floor(lowest - 2), max: Math.ceil(Math.max(...late) + 5) },
            },
          },
        },
      }];
    });
  },
};
