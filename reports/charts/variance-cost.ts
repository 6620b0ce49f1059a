/**
 * Variance at equal cost: a k-evaluation estimator (leave-one-out with k samples, ARM's pair) pays k
 * objective evaluations per estimate, so averaging n/k of its estimates costs as much as n single-
 * evaluation ones. The variance of that average is Var·k/n: variance × evaluations compares estimators
 * at equal cost. One point per estimator and backend, at its evaluations per estimate.
 */
import { gradientScores } from '../../core/types.js';
import { suiteVariants, type CompletedCell } from '../cells.js';
import { varianceStdErr } from '../uncertainty.js';
import { axis, chartSize, commonOptions, type ChartDefinition } from './chart.js';
import { pointLook } from './palette.js';
import { heightForLegend, shownSeries } from './series.js';
import { cellTip, valueLine } from './tips.js';

/** Objective evaluations per estimate of a cell's estimator as the cell recorded it; null in results written before cells recorded it. */
export function evaluationsOf(cell: CompletedCell): number | null {
  return cell.estimatorTraits?.evaluations ?? null;
}

export const varianceCostChart: ChartDefinition = {
  id: 'variance-cost',
  title: 'Variance at equal cost',
  howToGet: 'run a benchmark with at least one completed cell on a suite with a reference gradient, with estimators that take different numbers of objective evaluations (e.g. reinforce-loo or arm beside a straight-through estimator)',
  plan(results, styles, skip) {
    return suiteVariants(results).flatMap((variant) => {
      const points = shownSeries(results, variant.cells).flatMap((series) => {
        const scores = gradientScores(series.cell.metrics);
        const evaluations = evaluationsOf(series.cell);
        if (!scores || !(scores.variance > 0) || evaluations === null) return [];
        return [{ series, scores, cost: scores.variance * evaluations, evaluations }];
      });
      if (points.length === 0) return [];
      const counts = [...new Set(points.map(({ evaluations }) => evaluations))];
      if (counts.length === 1) {
        // Every point at one x: variance × a constant orders the estimators exactly as the bias–variance chart's x axis does.
        skip?.(`variance-cost-${variant.slug}.png: not drawn, every estimator of ${variant.title} takes ${counts[0]} objective evaluation${counts[0] === 1 ? '' : 's'} per estimate, so variance at equal cost orders them as variance alone does (see the bias–variance chart)`);
        return [];
      }
      const datasets = points.map(({ series, scores, cost, evaluations }) => ({
        label: series.label,
        backends: series.backends,
        data: [{
          x: evaluations, y: cost,
          tip: cellTip(results, series.cell, [
            valueLine('variance × evaluations', cost, varianceStdErr(scores, series.cell.samples) * evaluations),
            `${evaluations} objective evaluation${evaluations === 1 ? '' : 's'} per estimate`,
          ]),
        }],
        ...pointLook(styles, series.styleKey, series.cell.backend),
      }));
      const most = Math.max(...counts);
      const title = `Variance at equal cost: ${variant.title}`;
      return [{
        file: `variance-cost-${variant.slug}.png`,
        title,
        suite: variant.suite,
        ...(variant.nodeKind ? { nodeKind: variant.nodeKind } : {}),
        height: heightForLegend(datasets.map((dataset) => dataset.label), chartSize.height),
        caption: 'Variance of one estimate (trace of its covariance) times the objective evaluations it takes: the variance of an average over a fixed budget of evaluations, up to the budget. ' +
          'Lower is better at equal cost; a biased estimator can sit low and still be far off (see the bias–variance chart). Points that would hide each other are spread sideways by a few pixels.',
        configuration: {
          type: 'scatter',
          data: { datasets },
          options: {
            ...commonOptions(title, 'variance × evaluations per estimate · lower is better at the same number of objective evaluations', true, { estibenchDodge: true }),
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
