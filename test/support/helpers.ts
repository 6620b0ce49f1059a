import type { ComputeBackend } from '../../core/backend.js';
import type { EstimatorDefinition } from '../../core/estimator.js';
import { prepareCell } from '../../harness/cell.js';
import { withDefaults } from '../../core/parameters.js';
import { hashSeed, Rng } from '../../core/rng.js';
import { drawMoments, estimateBaseline } from '../../harness/sampling.js';
import type { BatchMoments } from '../../core/moments.js';
import { isStagedProblem, type Problem, type StagedProblem } from '../../core/suite.js';
import { bernoulliToy } from '../../suites/bernoulli-toy.js';
import { bernoulliQuadratic } from '../../suites/bernoulli-quadratic.js';

/** The bernoulli-toy problem with parameter overrides. */
export function toyProblem(overrides: Record<string, number> = {}): Problem {
  const problem = bernoulliToy.create(withDefaults(bernoulliToy.params, overrides));
  if (isStagedProblem(problem)) throw new Error('bernoulli-toy is a kernel suite');
  return problem;
}

/** The bernoulli-quadratic problem with parameter overrides. */
export function quadraticProblem(overrides: Record<string, number> = {}): Problem {
  const problem = bernoulliQuadratic.create(withDefaults(bernoulliQuadratic.params, overrides));
  if (isStagedProblem(problem)) throw new Error('bernoulli-quadratic is a kernel suite');
  return problem;
}

/**
 * Draws `samples` estimates of `estimator` on `backend` at the problem's starting parameters (at training
 * step `step`): a kernel problem's fused cell, or a staged problem's stages, from the same streams.
 */
export async function sampleEstimator(
  backend: ComputeBackend, estimator: EstimatorDefinition, problem: Problem | StagedProblem, samples: number, seed = 7,
  params: Record<string, number> = {}, step = 0,
): Promise<BatchMoments> {
  const batchSize = Math.min(samples, 8192);
  const cell = prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params, params), problem, batchSize });
  try {
    const rng = new Rng(hashSeed(seed, estimator.id));
    const baseline = await estimateBaseline({ cell, estimator, logits: cell.initialParameters, batchSize, rng, step });
    return await drawMoments({ cell, logits: cell.initialParameters, baseline, samples, batchSize, rng, step });
  } finally {
    cell.dispose();
  }
}

/** Units whose mean is more than `sigmas` standard errors from `expected`, described for assertion messages. */
export function unitsOutsideBand(moments: BatchMoments, expected: ArrayLike<number>, sigmas: number): string[] {
  const outside: string[] = [];
  for (let unit = 0; unit < expected.length; unit++) {
    const variance = moments.sumOfSquaredDeviations[unit] / (moments.count - 1);
    const standardError = Math.sqrt(variance / moments.count);
    const distance = Math.abs(moments.mean[unit] - expected[unit]);
    // An exactly deterministic unit (zero variance) must match to rounding.
    if (distance > sigmas * standardError + 1e-9) {
      outside.push(`unit ${unit}: mean ${moments.mean[unit].toPrecision(5)} vs ${expected[unit].toPrecision(5)} (${(distance / standardError).toFixed(1)} se)`);
    }
  }
  return outside;
}
