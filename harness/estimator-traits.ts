/**
 * Cells record their estimator's traits (family, unbiasedness claim, evaluations per estimate) so that
 * reports need no registry. Results written before cells recorded them get the traits of the built-in
 * estimator of that id when they are read; a plug-in's old cells stay without them.
 */
import { evaluationCount, type EstimatorDefinition } from '../core/estimator.js';
import type { CellResult, EstimatorTraits } from '../core/types.js';
import { builtInEstimators } from '../estimators/index.js';

/** The traits a cell of `estimator` with these parameters records. */
export function estimatorTraits(estimator: EstimatorDefinition, params: CellResult['estimatorParams']): EstimatorTraits {
  return { family: estimator.family, claimsUnbiased: estimator.claimsUnbiased, evaluations: evaluationCount(estimator, params) };
}

/** `cells` with the built-in estimators' traits filled in where a cell has none. */
export function withBuiltInTraits(cells: readonly CellResult[]): CellResult[] {
  return cells.map((cell) => {
    const estimator = builtInEstimators.get(cell.estimator);
    if (cell.estimatorTraits || !estimator) return cell;
    try {
      return { ...cell, estimatorTraits: estimatorTraits(estimator, cell.estimatorParams) };
    } catch {
      return cell;
    }
  });
}
