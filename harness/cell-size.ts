/**
 * The cost cap of one cell: single-sample estimates x elements x objective evaluations x noise draws
 * per element, at most `optionLimits.elementEstimatesPerCell`. Every factor counts: a categorical
 * node's classes (K elements per unit), an estimator's evaluations per estimate, and the conditional
 * resamples an estimator draws per unit (Gumbel-Rao's M): leaving one out let runs of 10¹¹ through.
 */
import { evaluationCount, exponentialsPerUnit, type EstimatorDefinition } from '../core/estimator.js';
import { UsageError } from '../core/errors.js';
import type { ParameterGrid, ParameterValues } from '../core/parameters.js';
import type { Registries } from '../core/types.js';
import { gridPoints } from './plan.js';

/** Largest numeric value a grid gives `name` (or `fallback` when it gives none). */
function largest(grid: ParameterGrid, name: string, fallback: number): number {
  const values = (grid[name] ?? []).filter((value): value is number => typeof value === 'number');
  return values.length > 0 ? Math.max(...values) : fallback;
}

/** Evaluations x noise draws per element of one estimate at `params` (an estimator that cannot say fails its own cell: 1). */
function workPerElement(estimator: EstimatorDefinition, params: ParameterValues, classes: number, categorical: boolean): { evaluations: number; draws: number } {
  let evaluations = 1;
  let draws = 1;
  try {
    evaluations = evaluationCount(estimator, params);
  } catch {
    // counted as 1: the cell fails on its own with the estimator's message
  }
  if (categorical && estimator.categoricalKernels) {
    try {
      // Exponentials per unit over K: 1 for one sample, 1 + M with M conditional resamples.
      draws = Math.max(1, exponentialsPerUnit(estimator, params, classes) / classes);
    } catch {
      // as above
    }
  }
  return { evaluations, draws };
}

/**
 * Refuses a configuration one of whose cells would exceed `limit` element-estimates, naming the
 * factors; `samples` is the number of single-sample estimates scored per cell.
 */
export function checkCellSize(
  samples: number, suiteParams: Readonly<Record<string, ParameterGrid>>, estimatorParams: Readonly<Record<string, ParameterGrid>>,
  registries: Registries, limit: number,
): void {
  for (const [suiteId, grid] of Object.entries(suiteParams)) {
    const suite = registries.suites.get(suiteId);
    const dim = largest(grid, 'dim', 1);
    const categorical = suite?.nodeKind === 'categorical' || grid.classes !== undefined;
    const classes = categorical ? largest(grid, 'classes', 1) : 1;
    for (const [estimatorId, estimatorGrid] of Object.entries(estimatorParams)) {
      const estimator = registries.estimators.get(estimatorId);
      // An estimator that does not take this suite's node gives an `unsupported` cell, which costs nothing.
      if (!estimator || (suite && !estimator.nodeKinds.includes(suite.nodeKind))) continue;
      for (const params of gridPoints(estimatorGrid)) {
        const { evaluations, draws } = workPerElement(estimator, params, Math.max(classes, 2), categorical);
        const total = samples * dim * classes * evaluations * draws;
        if (total <= limit) continue;
        const factors = [`--samples ${samples}`, `${suiteId} dim ${dim}`, ...(classes > 1 ? [`${classes} classes`] : []),
          ...(evaluations > 1 ? [`${estimatorId} ${evaluations} evaluations`] : []), ...(draws > 1 ? [`${draws} noise draws per element (conditional samples)`] : [])];
        throw new UsageError(
          `${factors.join(' x ')} = ${total.toExponential(2)} element-estimates per cell, above the limit of ${limit.toExponential(2)} ` +
          '(minutes per cell on a CPU core at the limit); lower --samples, dim, classes or evaluations, or spread the samples over --seed values',
        );
      }
    }
  }
}
