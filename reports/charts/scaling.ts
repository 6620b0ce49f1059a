/** How the time of a batch grows with the number of samples and with the dimension (`--sweep scaling`). */
import type { BenchResults, ScalingResults, ScalingSeries } from '../../core/types.js';
import { variantLabel } from '../cells.js';
import { axis, commonOptions, seriesLabel, type ChartDefinition, type ChartSpec } from './chart.js';
import { lineLook, type ChartStyles } from './palette.js';
import { backendTitle } from './speed.js';
import { valueLine } from './tips.js';

/** One line per estimator x backend: timings are where backends truly differ. */
function lines(results: BenchResults, scaling: ScalingResults, styles: ChartStyles, xs: number[], ys: (series: ScalingSeries) => number[]): object[] {
  const backends = new Set(scaling.series.map((series) => series.backend)).size;
  return scaling.series.filter((series) => series.state === 'completed').map((series) => {
    const values = ys(series);
    const variant = variantLabel(results, series.estimator, series.estimatorParams);
    const label = seriesLabel(variant, series.backend, backends);
    return {
      label,
      backends: [series.backend],
      data: xs.map((x, index) => ({ x, y: values[index], tip: [valueLine(`${x}:`, values[index], undefined, 'ms per batch (median)'), `estimator: ${variant}`, `backend: ${series.backend}${series.backendMode ? ` (${series.backendMode})` : ''}`] })),
      ...lineLook(styles, variant, series.backend),
      pointRadius: 5,
      borderWidth: 2,
    };
  });
}

function plan(results: BenchResults, styles: ChartStyles): ChartSpec[] {
  const scaling = results.scaling;
  if (!scaling || !scaling.series.some((series) => series.state === 'completed')) return [];
  // What ran, saying so where a backend is a software rasteriser (its times are a CPU's, not a GPU's).
  const modes = [...new Map(scaling.series.filter((series) => series.backendMode).map((series) => [series.backend, series.backendMode]))]
    .map(([backend, mode]) => { const named = backendTitle(results, backend, mode); return named.software ? named.title : mode; }).join(', ');
  const note = `median of ${scaling.timingIterations} timed batches${modes ? ` on ${modes}` : ''} · log–log: slope 1 is linear growth`;
  const chart = (file: string, title: string, caption: string, xTitle: string, xs: number[], ys: (series: ScalingSeries) => number[]): ChartSpec => ({
    file,
    title,
    caption,
    configuration: {
      type: 'line',
      data: { datasets: lines(results, scaling, styles, xs, ys) as never },
      options: {
        ...commonOptions(title, note),
        scales: { x: {
          ...axis('logarithmic', xTitle, undefined, xs),
          // Ticks at the measured sizes only (they are powers of two, not of ten): chartRuntime reads `ticksAt`.
          ticksAt: xs,
        } as Record<string, unknown>, y: axis('logarithmic', 'time per batch', 'ms', scaling.series.flatMap(ys)) },
      },
    },
  });
  return [
    chart(
      'scaling-samples.png', `Time against batch size: ${scaling.suite} (dim ${scaling.fixedDim})`,
      `Milliseconds per batch of estimates as the batch grows, at dim ${scaling.fixedDim}; ${note}.`,
      'single-sample estimates per batch', scaling.batchSizes, (series) => series.bySamples.msPerBatch,
    ),
    chart(
      'scaling-dim.png', `Time against dimension: ${scaling.suite} (batch ${scaling.fixedBatchSize})`,
      `Milliseconds per batch of ${scaling.fixedBatchSize} estimates as the dimension grows; ${note}.`,
      'dimension (units)', scaling.dims, (series) => series.byDim.msPerBatch,
    ),
  ];
}

export const scalingChart: ChartDefinition = {
  id: 'scaling',
  title: 'Time against batch size and dimension',
  howToGet: 'run `npm run bench -- --sweep scaling`',
  plan,
};
