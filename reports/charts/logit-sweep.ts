/** Variance and bias across the logit range (`--sweep logit`), one line per estimator x backend, as in the ARM and DisARM papers. */
import type { BenchResults, LogitSweep, LogitSweepSeries } from '../../harness/types.js';
import { axis, commonOptions, scaleTypeFor, seriesLabel, type ChartDefinition, type ChartSpec } from './chart.js';
import { lineLook, type ChartStyles } from './palette.js';

function lines(
  sweep: LogitSweep, styles: ChartStyles, backendCount: number,
  point: (series: LogitSweepSeries, index: number) => { y: number; yMin?: number; yMax?: number } | null,
): object[] {
  return sweep.series.filter((series) => series.state === 'completed').map((series) => {
    return {
      label: seriesLabel(series.estimator, series.backend, backendCount),
      data: sweep.logits.flatMap((logit, index) => { const value = point(series, index); return value ? [{ x: logit, ...value }] : []; }),
      ...lineLook(styles, series.estimator, series.backend),
      pointRadius: 4,
      borderWidth: 2,
    };
  });
}

function setting(sweep: LogitSweep): string {
  const others = Object.entries(sweep.params).filter(([name]) => name !== 'dim').map(([name, value]) => `${name} = ${value}`);
  return [`dim ${sweep.params.dim}, every unit at the same logit θ`, ...others, `N = ${sweep.samples} estimates per point`].join(' · ');
}

function plan(results: BenchResults, styles: ChartStyles): ChartSpec[] {
  const sweep = results.sweeps?.logit;
  if (!sweep || !sweep.series.some((series) => series.state === 'completed')) return [];
  const backends = new Set(sweep.series.map((series) => series.backend)).size;
  const variances = sweep.series.flatMap((series) => series.variance);
  const variance: ChartSpec = {
    file: 'logit-variance.png',
    title: `Variance across logits: ${sweep.suite}`,
    caption: `Variance (trace of the covariance of one estimate) at each logit θ; points at zero variance are left out (log axis). ${setting(sweep)}.`,
    configuration: {
      type: 'line',
      data: { datasets: lines(sweep, styles, backends, (series, index) => (series.variance[index] > 0 ? { y: series.variance[index] } : null)) as never },
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
        datasets: lines(sweep, styles, backends, (series, index) => ({
          y: series.signedBias[index], yMin: series.signedBias[index] - series.biasStdErr[index], yMax: series.signedBias[index] + series.biasStdErr[index],
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
