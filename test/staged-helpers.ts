import type { BatchMoments, ComputeBackend } from '../backends/backend.js';
import { builtInEstimators } from '../estimators/index.js';
import { prepareCell } from '../harness/cell.js';
import { withDefaults } from '../harness/parameters.js';
import { hashSeed, Rng } from '../harness/rng.js';
import { drawMoments, estimateBaseline } from '../harness/sampling.js';
import type { StagedProblem } from '../suites/suite.js';

/** `samples` estimates of a staged problem's gradient at `params` (its start by default), as the runner draws them. */
export async function sampleStagedProblem(
  backend: ComputeBackend, estimatorId: string, problem: StagedProblem, samples: number, seed: number, params = problem.initialParameters,
): Promise<BatchMoments> {
  const estimator = builtInEstimators.get(estimatorId)!;
  const batchSize = Math.min(samples, 8192);
  const cell = prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize });
  try {
    const rng = new Rng(hashSeed(seed, estimator.id));
    const baseline = await estimateBaseline(cell, estimator, params, batchSize, rng);
    return await drawMoments(cell, params, baseline, samples, batchSize, rng);
  } finally {
    cell.dispose();
  }
}

/** A small seeded uniform generator (mulberry32), independent of the harness's RNG, for Monte Carlo written in tests. */
export function testUniforms(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

/** Standard normals by Box–Muller from `testUniforms`. */
export function testNormals(seed: number): () => number {
  const uniform = testUniforms(seed);
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}
