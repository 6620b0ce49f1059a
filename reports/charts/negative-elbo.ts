/** Test −ELBO along training for the VAE suites (the figure of Jang et al. 2016 and the DisARM paper): one line per estimator. */
import { trainingResult, type TrainingMetricCurve } from '../../core/types.js';
import { suiteVariants } from '../cells.js';
import { axis, chartSize, commonOptions, type ChartDefinition } from './chart.js';
import { lineLook, withAlpha } from './palette.js';
import { heightForLegend, shownSeries } from './series.js';
import { cellTip, valueLine } from './tips.js';
import { sparseMarkers } from './training-curves.js';

/** The metric a VAE suite evaluates along training on its test images. */
const metric = 'testNegativeElbo';

export const negativeElboChart: ChartDefinition = {
  id: 'negative-elbo',
  title: 'Test −ELBO along training',
  howToGet: 'run a VAE suite (--suite mnist-binary-vae or mnist-categorical-vae) with --steps above 0',
  plan(results, styles) {
    return suiteVariants(results).flatMap((variant) => {
      const lines = shownSeries(results, variant.cells).flatMap((series) => {
        const training = trainingResult(series.cell.metrics);
        const curve: TrainingMetricCurve | undefined = training?.trainingMetrics?.[metric];
        return training && curve && curve.curve.step.length > 1
          ? [{ series, cell: series.cell, curve, seeds: training.trainingSeeds, label: series.label }]
          : [];
      });
      if (lines.length === 0) return [];
      // Per estimator: the mean over seeds, over a faint band from the lowest to the highest seed.
      const datasets = lines.flatMap(({ series, cell, curve, label }) => {
        const colourKey = series.styleKey;
        const backends = series.backends;
        const { step, mean, min, max } = curve.curve;
        const at = (values: number[]) => step.map((x, index) => ({ x, y: values[index] }));
        const band = withAlpha(styles.estimator(colourKey).colour, 0.15);
        const meanPoints = step.map((x, index) => ({
          x, y: mean[index],
          tip: cellTip(results, cell, [`step ${x}`, valueLine('test −ELBO (mean over seeds)', mean[index], undefined, 'nats'), `seeds: min ${min[index].toFixed(1)}, max ${max[index].toFixed(1)}`]),
        }));
        // Markers on the mean line: past eight estimators colours repeat, and the marker and dash, as in the legend, tell lines apart.
        return [
          { label, data: meanPoints, ...lineLook(styles, colourKey, cell.backend), pointRadius: sparseMarkers(step.length, 4), pointHitRadius: 4, pointBorderWidth: 1.5, borderWidth: 2, fill: false, backends },
          { label: '', data: at(min), borderWidth: 0, pointRadius: 0, pointHitRadius: 0, fill: false, backends },
          { label: '', data: at(max), borderWidth: 0, pointRadius: 0, pointHitRadius: 0, backgroundColor: band, fill: '-1', backends },
        ];
      });
      const { seeds } = lines[0];
      const { steps } = results.config.training;
      // The first evaluations (before any training, about 550 nats) would flatten the rest: the axis starts after them.
      const late = lines.flatMap(({ curve }) => curve.curve.max.slice(Math.floor(curve.curve.max.length / 4)));
      const start = Math.max(...lines.map(({ curve }) => curve.curve.mean[0]));
      const lowest = Math.min(...lines.flatMap(({ curve }) => curve.curve.min));
      const finals = lines.map(({ label, curve }) => `${label} ${curve.final.toFixed(1)} ± ${curve.finalStdErr.toFixed(1)}`).join(', ');
      const title = `Test −ELBO along training: ${variant.title}`;
      return [{
        file: `negative-elbo-${variant.slug}.png`,
        title,
        suite: variant.suite,
        ...(variant.nodeKind ? { nodeKind: variant.nodeKind } : {}),
        height: heightForLegend(lines.map(({ label }) => label), chartSize.height),
        caption: `Mean −ELBO per test image in nats (closed-form KL, one latent sample per image) along ${steps} training steps; line: mean over ${seeds} seeds, band: lowest to highest seed. ` +
          `Lower is better; the −ELBO axis is cut above the last three quarters' highest value, so the first evaluations (up to ${Math.round(start)} nats at step 0) lie above the chart. After the last step (mean ± standard error over seeds): ${finals}.`,
        configuration: {
          type: 'line',
          data: { datasets },
          options: {
            ...commonOptions(title, `mean over ${seeds} seeds (band: min–max) · lower is better`),
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
