/** Bias against variance per suite: one point per estimator x backend, lower-left is best. */
import type { CellMetrics } from '../../harness/types.js';
import { backendCount, completedCells } from '../cells.js';
import { axis, commonOptions, fileSafe, seriesLabel, type ChartDefinition } from './chart.js';

function hasPositive(metrics: CellMetrics): boolean {
  return metrics.bias > 0 && metrics.variance > 0;
}

export const biasVarianceChart: ChartDefinition = {
  id: 'bias-variance',
  title: 'Bias against variance',
  howToGet: 'run a benchmark with at least one completed cell',
  plan(results, styles) {
    return results.config.suites.flatMap((suite) => {
      const cells = completedCells(results, suite).filter((cell) => hasPositive(cell.metrics));
      if (cells.length === 0) return [];
      const datasets = cells.map((cell) => {
        const look = styles.estimator(cell.estimator);
        const { bias, biasStdErr, variance } = cell.metrics;
        return {
          label: seriesLabel(cell.estimator, cell.backend, backendCount(results)),
          data: [{ x: variance, y: bias, yMin: bias - biasStdErr, yMax: bias + biasStdErr }],
          borderColor: look.colour,
          backgroundColor: styles.backend(cell.backend).filledMarker ? look.colour : '#ffffff',
          pointStyle: look.marker,
          pointRadius: 8,
          pointBorderWidth: 2,
        };
      });
      const samples = cells[0].samples;
      return [{
        file: `bias-variance-${fileSafe(suite)}.png`,
        title: `Bias against variance: ${suite}`,
        caption: `One point per estimator and backend, ${samples} single-sample estimates each; bars are ±1 standard error of the bias. Lower left is better.`,
        configuration: {
          type: 'scatter',
          data: { datasets },
          options: {
            ...commonOptions(`Bias against variance: ${suite}`, `lower left is better · bars: ±1 standard error of the bias · N = ${samples} estimates per point`),
            scales: {
              x: axis('logarithmic', 'variance: trace of Cov(ĝ), one estimate', '(dL/dθ)²', cells.map((cell) => cell.metrics.variance)),
              y: axis('logarithmic', 'bias: ‖E[ĝ] − ∇‖₂', 'dL/dθ', cells.flatMap((cell) => [cell.metrics.bias, cell.metrics.bias + cell.metrics.biasStdErr])),
            },
          },
        },
      }];
    });
  },
};
