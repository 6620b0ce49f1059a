/** Speed: nanoseconds per single-sample estimate, one bar per estimator x backend (speed is where backends truly differ), per suite setting. */
import { backendCount, estimatorLabel, suiteVariants, variantLabel, type CompletedCell } from '../cells.js';
import { axis, commonOptions, scaleTypeFor, seriesLabel, type ChartDefinition } from './chart.js';
import { withAlpha } from './palette.js';

export const speedChart: ChartDefinition = {
  id: 'speed',
  title: 'Speed per estimate',
  howToGet: 'run a benchmark with --timing-iterations above 0',
  plan(results, styles) {
    return suiteVariants(results).flatMap((variant) => {
      const cells = variant.cells.filter((cell): cell is CompletedCell => cell.state === 'completed' && (cell.metrics.nsPerEstimate ?? 0) > 0);
      if (cells.length === 0) return [];
      const values = cells.map((cell) => cell.metrics.nsPerEstimate!);
      const mads = cells.map((cell) => cell.metrics.nsPerEstimateMad ?? 0);
      const colours = cells.map((cell) => styles.estimator(variantLabel(results, cell.estimator, cell.estimatorParams)).colour);
      const batch = cells[0].metrics.timedBatchSize;
      const dim = cells[0].suiteParams.dim;
      const setting = `${dim !== undefined ? `dim ${dim}, ` : ''}batches of ${batch}`;
      return [{
        file: `speed-${variant.slug}.png`,
        title: `Speed: ${variant.title}`,
        caption: `Median time of a batch of ${batch} estimates divided by ${batch} (${setting}); bars: ± median absolute deviation. Shorter is faster; hollow bars are the second backend.`,
        configuration: {
          type: 'bar',
          data: {
            labels: cells.map((cell) => seriesLabel(estimatorLabel(results, cell), cell.backendMode ?? cell.backend, backendCount(results))),
            datasets: [{
              label: 'ns per estimate',
              data: values.map((value, index) => ({ x: value, y: index, xMin: value - mads[index], xMax: value + mads[index] })) as never,
              backgroundColor: cells.map((cell, index) => (styles.backend(cell.backend).filledMarker ? colours[index] : withAlpha(colours[index], 0.25))),
              borderColor: '#333',
              borderWidth: 1,
              parsing: { xAxisKey: 'x', yAxisKey: 'y' },
            }],
          },
          options: {
            ...commonOptions(`Speed: ${variant.title}`, `median ns per single-sample estimate (${setting}) · shorter is faster · bars: ± MAD`, false),
            indexAxis: 'y',
            scales: { x: { ...axis(scaleTypeFor(values), 'time per estimate', 'ns', values), suggestedMax: Math.max(...values.map((value, index) => value + mads[index])) }, y: { ...axis('category', ''), title: { display: false } } },
          },
        },
      }];
    });
  },
};
