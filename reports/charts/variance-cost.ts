/**
 * Variance at equal cost: a k-evaluation estimator (leave-one-out with k samples, ARM's pair) pays k
 * objective evaluations per estimate, so averaging n/k of its estimates costs as much as n single-
 * evaluation ones. The variance of that average is Var·k/n: variance × evaluations compares estimators
 * at equal cost. One point per estimator and backend, at its evaluations per estimate.
 */
import { gradientScores } from '../../core/types.js';
import { estimatorGroups, shownCells, suiteVariants, variantLabel, type CompletedCell } from '../cells.js';
import { axis, commonOptions, type ChartDefinition } from './chart.js';

/** Objective evaluations per estimate of a cell's estimator as the cell recorded it; null in results written before cells recorded it. */
export function evaluationsOf(cell: CompletedCell): number | null {
  return cell.estimatorTraits?.evaluations ?? null;
}

export const varianceCostChart: ChartDefinition = {
  id: 'variance-cost',
  title: 'Variance at equal cost',
  howToGet: 'run a benchmark with at least one completed cell on a suite with a reference gradient',
  plan(results, styles) {
    return suiteVariants(results).flatMap((variant) => {
      const points = estimatorGroups(results, variant.cells).flatMap((group) => shownCells(group).flatMap(({ cell, differs }) => {
        const scores = gradientScores(cell.metrics);
        const evaluations = evaluationsOf(cell);
        if (!scores || !(scores.variance > 0) || evaluations === null) return [];
        return [{ cell, cost: scores.variance * evaluations, evaluations, label: differs.length > 0 ? `${group.label} (${cell.backend})` : group.label }];
      }));
      if (points.length === 0) return [];
      const datasets = points.map(({ cell, cost, evaluations, label }) => {
        const look = styles.estimator(variantLabel(results, cell.estimator, cell.estimatorParams));
        return {
          label,
          data: [{ x: evaluations, y: cost }],
          borderColor: look.colour,
          backgroundColor: styles.backend(cell.backend).filledMarker ? look.colour : '#ffffff',
          pointStyle: look.marker,
          pointRadius: 8,
          pointBorderWidth: 2,
        };
      });
      const most = Math.max(...points.map(({ evaluations }) => evaluations));
      const title = `Variance at equal cost: ${variant.title}`;
      return [{
        file: `variance-cost-${variant.slug}.png`,
        title,
        caption: 'Variance of one estimate (trace of its covariance) times the objective evaluations it takes: the variance of an average over a fixed budget of evaluations, up to the budget. ' +
          'Lower is better at equal cost; a biased estimator can sit low and still be far off (see the bias–variance chart).',
        configuration: {
          type: 'scatter',
          data: { datasets },
          options: {
            ...commonOptions(title, 'variance × evaluations per estimate · lower is better at the same number of objective evaluations'),
            scales: {
              x: { ...axis('linear', 'objective evaluations per estimate'), min: 0, max: most + 1, ticks: { stepSize: 1, font: { size: 12 } } },
              y: axis('logarithmic', 'variance × evaluations', '(dL/dθ)²', points.map(({ cost }) => cost)),
            },
          },
        },
      }];
    });
  },
};
