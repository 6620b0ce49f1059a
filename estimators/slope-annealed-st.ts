import { defineEstimator } from '../core/estimator.js';
import { slopeAnnealingParams } from './slope-annealing.js';

/**
 * The slope a at 0-based training step `step`: a = min(maxSlope, 1 + slopeRate · step), 1 when scoring
 * (see `slopeAnnealingParams`). Declared in each estimator's own file: module loaders rewrite calls to
 * imported functions, which would break the kernels' compiled source.
 */
function annealedSlope(step: number, slopeRate: number, maxSlope: number): number {
  return Math.min(maxSlope, 1 + slopeRate * step);
}

/**
 * Slope-annealed straight-through (Chung et al. 2017): the hard sigmoid q = clip((a θ + 1) / 2, 0, 1)
 * with its slope a growing along training (see `annealedSlope`); forward b ~ Bernoulli(q), backward
 * dL/db · a/2 inside −1 < a θ < 1 and 0 outside, so the sampler sharpens towards a step function while
 * the proxy follows it. At a = 1 it is hard-sigmoid-st. Biased (straight-through), and its samples follow
 * q rather than the suite's σ(θ).
 */
export const slopeAnnealedSt = defineEstimator({
  id: 'slope-annealed-st',
  title: 'Straight-through, hard sigmoid with slope annealing',
  citation: 'Chung, Ahn & Bengio (2017), "Hierarchical multiscale recurrent neural networks", ICLR, arXiv:1609.01704 (the slope annealing trick)',
  family: 'pathwise-surrogate',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: false,
  params: slopeAnnealingParams,
  noise: ['uniform'],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  helpers: [annealedSlope],
  kernels: {
    forward: function slopeAnnealedHardSample(theta: number, u: number, step: number, slopeRate: number, maxSlope: number): number {
      const probability = Math.min(Math.max((annealedSlope(step, slopeRate, maxSlope) * theta + 1) * 0.5, 0), 1);
      // 1[u < probability] without a branch, as in hardBernoulliSample.
      return Math.ceil(probability - u) + 0;
    },
    gradient: function slopeAnnealedHardGradient(theta: number, dLdh: number, step: number, slopeRate: number, maxSlope: number): number {
      const slope = annealedSlope(step, slopeRate, maxSlope);
      return slope * theta > -1 && slope * theta < 1 ? 0.5 * slope * dLdh : 0;
    },
  },
});
