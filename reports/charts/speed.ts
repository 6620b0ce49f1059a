/**
 * Speed: nanoseconds per single-sample estimate on a log axis, one row per estimator and one bar per
 * backend in it (speed is where backends truly differ), per suite setting; a backend that is a software
 * rasteriser (Mesa llvmpipe under headless-gl) or gpu.js's CPU fallback says so in the legend.
 */
import type { BenchResults } from '../../core/types.js';
import { estimatorLabel, suiteVariants, variantLabel, type CompletedCell } from '../cells.js';
import { axis, commonOptions, type ChartDefinition } from './chart.js';
import { withAlpha } from './palette.js';
import { cellTip, valueLine } from './tips.js';

/** `gpu: software rasteriser (llvmpipe)` where the run's backend report says so; else the backend and the path that ran. */
export function backendTitle(results: BenchResults, backend: string, mode: string | undefined): { title: string; software: boolean } {
  const report = results.env.backends?.find((candidate) => candidate.id === backend);
  const renderer = report?.details?.renderer?.replace(/^ANGLE on /, '').replace(/\s*\(.*$/, '');
  if (report?.details?.software?.startsWith('yes')) return { title: `${backend}: software rasteriser${renderer ? ` (${renderer})` : ''}, not a GPU`, software: true };
  if ((mode ?? report?.mode) === 'gpu:cpu-fallback') return { title: `${backend}: gpu.js CPU fallback, not a GPU`, software: true };
  return { title: mode ? `${backend} (${mode})` : backend, software: false };
}

/** Height of one bar and the gap between rows, in CSS pixels. */
const barHeight = 12;
const rowGap = 10;

export const speedChart: ChartDefinition = {
  id: 'speed',
  title: 'Speed per estimate',
  howToGet: 'run a benchmark with --timing-iterations above 0',
  plan(results, styles) {
    return suiteVariants(results).flatMap((variant) => {
      const cells = variant.cells.filter((cell): cell is CompletedCell => cell.state === 'completed' && (cell.metrics.nsPerEstimate ?? 0) > 0);
      if (cells.length === 0) return [];
      const rows = [...new Set(cells.map((cell) => estimatorLabel(results, cell)))];
      const backends = [...new Set(cells.map((cell) => cell.backend))];
      const batch = cells[0].metrics.timedBatchSize;
      const dim = cells[0].suiteParams.dim;
      const setting = `${dim !== undefined ? `dim ${dim}, ` : ''}batches of ${batch}`;
      const titles = backends.map((backend) => backendTitle(results, backend, cells.find((cell) => cell.backend === backend)?.backendMode));
      const datasets = backends.map((backend, backendIndex) => {
        const first = backendIndex === 0;
        const ofBackend = rows.map((row) => cells.find((cell) => cell.backend === backend && estimatorLabel(results, cell) === row));
        const colours = ofBackend.map((cell) => (cell ? styles.estimator(variantLabel(results, cell.estimator, cell.estimatorParams)).colour : '#888888'));
        return {
          label: titles[backendIndex].title,
          backends: [backend],
          // Chart.js parses every entry of object data: a missing bar is a null x.
          data: ofBackend.map((cell, index) => {
            if (!cell) return { x: null, y: rows[index] };
            const ns = cell.metrics.nsPerEstimate!;
            const mad = cell.metrics.nsPerEstimateMad ?? 0;
            return { x: ns, y: rows[index], xMin: ns - mad, xMax: ns + mad, tip: cellTip(results, cell, [valueLine('median', ns, undefined, `ns per estimate ± ${Number(mad.toPrecision(3))} (MAD)`)]) };
          }),
          // The first backend's bars are filled with the estimator's colour, the others pale with its colour as the outline.
          backgroundColor: colours.map((colour) => (first ? colour : withAlpha(colour, 0.22))),
          borderColor: colours.map((colour) => (first ? '#333333' : colour)),
          borderWidth: first ? 1 : 2,
          legendColour: first ? '#555555' : 'rgba(85, 85, 85, 0.22)',
          barThickness: barHeight,
          categoryPercentage: 0.9,
        };
      });
      const values = cells.flatMap((cell) => [cell.metrics.nsPerEstimate!, cell.metrics.nsPerEstimate! + (cell.metrics.nsPerEstimateMad ?? 0)]);
      const software = titles.filter((title) => title.software).map((title) => title.title);
      const title = `Speed: ${variant.title}`;
      const common = commonOptions(title, `median ns per single-sample estimate (${setting}) · log axis · shorter is faster · bars: ± MAD`);
      return [{
        file: `speed-${variant.slug}.png`,
        title,
        suite: variant.suite,
        ...(variant.nodeKind ? { nodeKind: variant.nodeKind } : {}),
        height: Math.max(540, 190 + rows.length * (backends.length * barHeight + rowGap)),
        caption: `Median time of a batch of ${batch} estimates divided by ${batch} (${setting}), on a log axis; bars: ± median absolute deviation (an arrow: the interval reaches below the axis). ` +
          `Shorter is faster; ${backends.length > 1 ? 'within a row, filled bars are the first backend and pale ones the next (legend).' : 'one backend.'}` +
          (software.length > 0 ? ` ${software.join('; ')}: its times measure a rasteriser running on the CPU and say nothing about a real GPU.` : ''),
        configuration: {
          type: 'bar',
          data: { labels: rows, datasets: datasets as never },
          options: {
            ...common,
            indexAxis: 'y',
            plugins: {
              ...(common.plugins as Record<string, unknown>),
              legend: { display: true, position: 'top', neutralSwatches: true, labels: { font: { size: 13 }, padding: 14 } },
            },
            scales: {
              x: axis('logarithmic', 'time per estimate', 'ns', values),
              y: { ...axis('category', ''), title: { display: false }, ticks: { font: { size: 12 }, autoSkip: false } },
            },
          },
        },
      }];
    });
  },
};
