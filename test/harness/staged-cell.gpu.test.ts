import { expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import type { ComputeBackend } from '../../core/backend.js';
import { builtInEstimators } from '../../estimators/index.js';
import { prepareCell } from '../../harness/cell.js';
import { withDefaults } from '../../core/parameters.js';
import { hashSeed, Rng } from '../../core/rng.js';
import { drawMoments, estimateBaseline } from '../../harness/sampling.js';
import { sampleEstimator, toyProblem, unitsOutsideBand } from '../support/helpers.js';
import { stagedTwin } from '../support/staged-toy.js';

/** Estimates of a staged cell, drawn as `sampleEstimator` draws a fused cell's (same stream). */
async function sampleStaged(backend: ComputeBackend, estimatorId: string, samples: number, seed: number) {
  const estimator = builtInEstimators.get(estimatorId)!;
  const problem = stagedTwin(toyProblem({ dim: 12 }), 0.45);
  const batchSize = Math.min(samples, 8192);
  const cell = prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize });
  try {
    const rng = new Rng(hashSeed(seed, estimator.id));
    const baseline = await estimateBaseline({ cell, estimator, logits: problem.initialParameters, batchSize, rng });
    return await drawMoments({ cell, logits: problem.initialParameters, baseline, samples, batchSize, rng });
  } finally {
    cell.dispose();
  }
}

describeEachBackend('staged cells', (backend, backendId) => {
  it('says which cells run as stages and which fused', () => {
    const estimator = builtInEstimators.get('ste-sigmoid')!;
    const execution = (problem: Parameters<typeof prepareCell>[1]['problem']) => {
      const cell = prepareCell(backend(), { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize: 16 });
      cell.dispose();
      return cell.execution;
    };
    expect([execution(stagedTwin(toyProblem({ dim: 12 }), 0.45)), execution(toyProblem({ dim: 12 }))]).toEqual(['staged', 'fused']);
  });

  // Estimators without a baseline consume exactly the fused cell's noise: the numbers must match.
  const withoutBaseline = [...builtInEstimators.values()]
    .filter((estimator) => estimator.nodeKinds.includes('bernoulli') && !estimator.kernels.baselineWeight)
    .map((estimator) => estimator.id);
  it.each(withoutBaseline)('%s: a staged bernoulli-toy gives the fused cell\'s estimates', async (id) => {
    const fused = await sampleEstimator(backend(), builtInEstimators.get(id)!, toyProblem({ dim: 12 }), 3000, 21);
    const staged = await sampleStaged(backend(), id, 3000, 21);
    // float64 on the CPU (summation order differs); float32 on the GPU, where a threshold can flip one sample.
    const tolerance = backendId === 'cpu' ? 1e-9 : 2e-3;
    for (let unit = 0; unit < 12; unit++) {
      expect(Math.abs(staged.mean[unit] - fused.mean[unit])).toBeLessThan(tolerance * (1 + Math.abs(fused.mean[unit])));
      expect(Math.abs(staged.sumOfSquaredDeviations[unit] - fused.sumOfSquaredDeviations[unit])).toBeLessThan(
        tolerance * 3000 * (1 + fused.sumOfSquaredDeviations[unit] / 3000),
      );
    }
  });

  it('bengio-unbiased with its pilot baseline drawn inside the stages stays unbiased', async () => {
    const problem = toyProblem({ dim: 12 });
    const moments = await sampleStaged(backend(), 'bengio-unbiased', 40_000, 3);
    // dE[f]/dtheta_i = p_i (1 - p_i) (1 - 2t), derived by hand for f(b) = sum (b_i - t)^2.
    const expected = Array.from(problem.initialLogits, (theta) => {
      const p = 1 / (1 + Math.exp(-theta));
      return p * (1 - p) * (1 - 2 * 0.45);
    });
    expect(unitsOutsideBand(moments, expected, 5)).toEqual([]);
  });
});
