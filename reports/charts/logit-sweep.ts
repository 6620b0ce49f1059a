/** Variance and bias across the logit range (`--sweep logit`), one line per estimator, as in the ARM and DisARM papers. */
import type { BenchResults, LogitSweep, LogitSweepSeries } from '../../core/types.js';
import { backendNoiseK, variantLabel } from '../cells.js';
import { axis, commonOptions, scaleTypeFor, type ChartDefinition, type ChartSpec } from './chart.js';
import { lineLook, type ChartStyles } from './palette.js';
import { valueLine } from './tips.js';

/** Whether a series differs from another at some logit beyond noise (4 combined standard errors of the bias or of the variance). */
function seriesDiffer(first: LogitSweepSeries, other: LogitSweepSeries, samples: number): boolean {
  const varianceError = (variance: number) => variance * Math.sqrt(2 / Math.max(1, samples - 1));
  return first.bias.some((bias, index) =>
    Math.abs(bias - other.bias[index]) > backendNoiseK * Math.hypot(first.biasStdErr[index], other.biasStdErr[index]) + 1e-9 ||
    Math.abs(first.variance[index] - other.variance[index]) > backendNoiseK * Math.hypot(varianceError(first.variance[index]), varianceError(other.variance[index])) + 1e-9);
}

/** One line per estimator (at its varying parameters); another backend's line only where it differs beyond noise. */
function lines(
  results: BenchResults, sweep: LogitSweep, styles: ChartStyles,
  point: (series: LogitSweepSeries, index: number) => { name: string; y: number; yMin?: number; yMax?: number } | null,
): object[] {
  const firstOfVariant = new Map<string, LogitSweepSeries>();
  const shown: Array<{ series: LogitSweepSeries; label: string; variant: string }> = [];
  for (const series of sweep.series.filter((candidate) => candidate.state === 'completed')) {
    const variant = variantLabel(results, series.estimator, series.estimatorParams);
    const first = firstOfVariant.get(variant);
    if (!first) {
      firstOfVariant.set(variant, series);
      shown.push({ series, label: variant, variant });
    } else if (seriesDiffer(first, series, sweep.samples)) {
      shown.push({ series, label: `${variant} (${series.backend})`, variant });
    }
  }
  return shown.map(({ series, label, variant }) => ({
    label,
    backends: [series.backend],
    data: sweep.logits.flatMap((logit, index) => {
      const value = point(series, index);
      if (!value) return [];
      const stdErr = value.yMin !== undefined && value.yMax !== undefined ? (value.yMax - value.yMin) / 2 : undefined;
      return [{ x: logit, ...value, tip: [`θ = ${logit}`, valueLine(value.name, value.y, stdErr), `estimator: ${variant}`, `backend: ${series.backend}`, `N = ${sweep.samples} estimates`] }];
    }),
    ...lineLook(styles, variant, series.backend),
    pointRadius: 4,
    borderWidth: 2,
  }));
}

function setting(sweep: LogitSweep): string {
  const others = Object.entries(sweep.params).filter(([name]) => name !== 'dim').map(([name, value]) => `${name} = ${value}`);
  return [`dim ${sweep.params.dim}, every unit at the same logit θ`, ...others, `N = ${sweep.samples} estimates per point`].join(' · ');
}

function plan(results: BenchResults, styles: ChartStyles): ChartSpec[] {
  const sweep = results.sweeps?.logit;
  if (!sweep || !sweep.series.some((series) => series.state === 'completed')) return [];
  const variances = sweep.series.flatMap((series) => series.variance);
  const variance: ChartSpec = {
    file: 'logit-variance.png',
    title: `Variance across logits: ${sweep.suite}`,
    caption: `Variance (trace of the covariance of one estimate) at each logit θ; points at zero variance are left out (log axis). ${setting(sweep)}.`,
    configuration: {
      type: 'line',
      data: { datasets: lines(results, sweep, styles, (series, index) => (series.variance[index] > 0 ? { name: 'variance', y: series.variance[index] } : null)) as never },
      options: {
        ...commonOptions(`Variance across logits: ${sweep.suite}`, setting(sweep)),
        scales: { x: axis('linear', 'logit θ', 'nats'), y: axis(scaleTypeFor(variances, true), 'variance of one estimate', '(dL/dθ)²', variances) },
      },
    },
  };
  const bias: ChartSpec = {
    file: 'logit-bias.png',
    title: `Bias across logits: ${sweep.suite}`,
    caption: `Signed bias E[ĝ] − ∇ at each logit θ, bars ±1 standard error; an unbiased estimator stays on zero. ${setting(sweep)}.`,
    configuration: {
      type: 'line',
      data: {
        datasets: lines(results, sweep, styles, (series, index) => ({
          name: 'bias', y: series.signedBias[index], yMin: series.signedBias[index] - series.biasStdErr[index], yMax: series.signedBias[index] + series.biasStdErr[index],
        })) as never,
      },
      options: {
        ...commonOptions(`Bias across logits: ${sweep.suite}`, `${setting(sweep)} · bars: ±1 standard error`),
        scales: { x: axis('linear', 'logit θ', 'nats'), y: axis('linear', 'bias E[ĝ] − ∇', 'dL/dθ') },
      },
    },
  };
  return [variance, bias];
}

export const logitSweepChart: ChartDefinition = {
  id: 'logit-sweep',
  title: 'Bias and variance across logits',
  howToGet: 'run `npm run bench -- --sweep logit` (needs the bernoulli-toy suite)',
  plan,
};
