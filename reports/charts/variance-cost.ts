/**
 * Variance at equal cost: a k-evaluation estimator (leave-one-out with k samples, ARM's pair) pays k
 * objective evaluations per estimate, so averaging n/k of its estimates costs as much as n single-
 * evaluation ones. The variance of that average is Var·k/n: variance × evaluations compares estimators
 * at equal cost. One point per estimator and backend, at its evaluations per estimate.
 */
import { evaluationCount } from '../../estimators/estimator.js';
import { builtInEstimators } from '../../estimators/index.js';
import { backendCount, completedCells, type CompletedCell } from '../cells.js';
import { axis, commonOptions, fileSafe, seriesLabel, type ChartDefinition } from './chart.js';

/**
 * Objective evaluations per estimate of a cell's estimator with the parameters it ran with, or null for
 * an estimator this report does not know (a plug-in: its metadata is not in the results).
 */
export function evaluationsOf(cell: CompletedCell): number | null {
  const estimator = builtInEstimators.get(cell.estimator);
  if (!estimator) return null;
  const params = Object.fromEntries(Object.keys(estimator.params).map((name) => [name, Number(cell.params[name] ?? estimator.params[name].default)]));
  try {
    return evaluationCount(estimator, params);
  } catch {
    return null;
  }
}

export const varianceCostChart: ChartDefinition = {
  id: 'variance-cost',
  title: 'Variance at equal cost',
  howToGet: 'run a benchmark with at least one completed cell of a built-in estimator',
  plan(results, styles) {
    return results.config.suites.flatMap((suite) => {
      const points = completedCells(results, suite).flatMap((cell) => {
        const evaluations = evaluationsOf(cell);
        return evaluations !== null && cell.metrics.variance > 0 ? [{ cell, evaluations }] : [];
      });
      if (points.length === 0) return [];
      const datasets = points.map(({ cell, evaluations }) => {
        const look = styles.estimator(cell.estimator);
        return {
          label: seriesLabel(cell.estimator, cell.backend, backendCount(results)),
          data: [{ x: evaluations, y: cell.metrics.variance * evaluations }],
          borderColor: look.colour,
          backgroundColor: styles.backend(cell.backend).filledMarker ? look.colour : '#ffffff',
          pointStyle: look.marker,
          pointRadius: 8,
          pointBorderWidth: 2,
        };
      });
      const costs = points.map(({ cell, evaluations }) => cell.metrics.variance * evaluations);
      const most = Math.max(...points.map(({ evaluations }) => evaluations));
      return [{
        file: `variance-cost-${fileSafe(suite)}.png`,
        title: `Variance at equal cost: ${suite}`,
        caption: 'Variance of one estimate (trace of its covariance) times the objective evaluations it takes: the variance of an average over a fixed budget of evaluations, up to the budget. Lower is better at equal cost; biased estimators can sit low and still be far off (see the bias–variance chart).',
        configuration: {
          type: 'scatter',
          data: { datasets },
          options: {
            ...commonOptions(`Variance at equal cost: ${suite}`, 'variance × evaluations per estimate · lower is better at the same number of objective evaluations'),
            scales: {
              x: { ...axis('linear', 'objective evaluations per estimate'), min: 0, max: most + 1, ticks: { stepSize: 1, font: { size: 12 } } },
              y: axis('logarithmic', 'variance × evaluations', '(dL/dθ)²', costs),
            },
          },
        },
      }];
    });
  },
};
