import { defineEstimator } from '../core/estimator.js';

/**
 * The slope a at 0-based training step `step`: a = min(maxSlope, 1 + slopeRate · step). It is 1 when
 * scoring (step 0). Chung et al. grow it per epoch (a = min(5, 1 + 0.04 · epoch)); here one step is one
 * update of the logits, the harness's unit of training time.
 */
function annealedSlope(step: number, slopeRate: number, maxSlope: number): number {
  return Math.min(maxSlope, 1 + slopeRate * step);
}

/** σ(a θ); at a = 1 (scoring, and the start of training) that is the node's own p, with no exp to pay. */
function annealedProbability(theta: number, p: number, slope: number): number {
  return slope === 1 ? p : 1 / (1 + Math.exp(-slope * theta));
}

/**
 * Slope-annealed straight-through: b ~ Bernoulli(σ(a θ)) forward, dL/db · a σ'(a θ) backward, with the
 * slope a growing along training (see `annealedSlope`), so the sampler sharpens towards a step function
 * while the proxy gradient follows it. Biased (straight-through), and for a ≠ 1 its samples follow
 * σ(a θ) rather than the suite's σ(θ).
 */
export const slopeAnnealedSt = defineEstimator({
  id: 'slope-annealed-st',
  title: 'Straight-through with slope annealing',
  citation: 'Chung, Ahn & Bengio (2017), "Hierarchical multiscale recurrent neural networks", ICLR, arXiv:1609.01704 (the slope annealing trick)',
  family: 'pathwise-surrogate',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: false,
  params: {
    slopeRate: { description: 'growth of the sigmoid slope a per training step: a = min(maxSlope, 1 + slopeRate * step)', default: 0.04, minimum: 0 },
    maxSlope: { description: 'largest slope a of the annealing schedule', default: 5, minimum: 1 },
  },
  noise: ['uniform'],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  helpers: [annealedSlope, annealedProbability],
  kernels: {
    forward: function slopeAnnealedSample(theta: number, p: number, u: number, step: number, slopeRate: number, maxSlope: number): number {
      // 1[u < probability] without a branch, as in hardBernoulliSample.
      return Math.ceil(annealedProbability(theta, p, annealedSlope(step, slopeRate, maxSlope)) - u) + 0;
    },
    gradient: function slopeAnnealedGradient(
      theta: number, p: number, dLdh: number, step: number, slopeRate: number, maxSlope: number,
    ): number {
      const slope = annealedSlope(step, slopeRate, maxSlope);
      const probability = annealedProbability(theta, p, slope);
      return dLdh * slope * probability * (1 - probability);
    },
  },
});
