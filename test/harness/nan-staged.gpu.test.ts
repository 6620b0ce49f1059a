/** A kernel leaving the domain of sqrt fails a staged cell too, on every backend (the hard-node path, not the fused one). */
import { expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { defineEstimator } from '../../core/estimator.js';
import { prepareCell } from '../../harness/cell.js';
import { Rng } from '../../core/rng.js';
import { drawMoments } from '../../harness/sampling.js';
import { toyProblem } from '../support/helpers.js';
import { stagedTwin } from '../support/staged-toy.js';

const sqrtOfMinusOne = defineEstimator({
  id: 'sqrt-of-minus-one',
  title: 'returns sqrt(-1)',
  citation: 'none',
  family: 'pathwise-surrogate',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: false,
  params: {},
  noise: ['uniform'],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  kernels: {
    forward: function sampleForward(p: number, u: number): number { return u < p ? 1 : 0; },
    gradient: function sqrtOfMinusOneGradient(): number { return Math.sqrt(-1); },
  },
});

describeEachBackend('a staged cell', (backend) => {
  it('fails when its estimator kernel returns sqrt(-1)', async () => {
    const problem = stagedTwin(toyProblem({ dim: 4 }), 0.45);
    const cell = prepareCell(backend(), { estimator: sqrtOfMinusOne, estimatorParams: {}, problem, batchSize: 256 });
    try {
      await expect(drawMoments({ cell, logits: problem.initialParameters, baseline: new Float64Array(4), samples: 256, batchSize: 256, rng: new Rng(5) })).rejects.toThrow(/is NaN at unit 0: the estimator produced NaN or Inf/);
    } finally {
      cell.dispose();
    }
  });
}, { threads: 1, staged: true });
