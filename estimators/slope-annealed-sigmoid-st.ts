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

/** σ(a θ); at a = 1 (scoring, and the start of training) that is the node's own p, with no exp to pay. */
function annealedProbability(theta: number, p: number, slope: number): number {
  return slope === 1 ? p : 1 / (1 + Math.exp(-slope * theta));
}

/**
 * The logistic variant of slope annealing: b ~ Bernoulli(σ(a θ)) forward, dL/db · a σ'(a θ) backward,
 * with the slope a growing along training (see `annealedSlope`), so the sampler sharpens towards a step
 * function while the proxy gradient follows it; at a = 1 it is ste-sigmoid. Chung et al. anneal the
 * hard sigmoid instead (`slope-annealed-st`). Biased (straight-through), and for a ≠ 1 its samples
 * follow σ(a θ) rather than the suite's σ(θ).
 */
export const slopeAnnealedSigmoidSt = defineEstimator({
  id: 'slope-annealed-sigmoid-st',
  title: "Straight-through (sigmoid') with slope annealing",
  citation: 'the slope annealing trick of Chung, Ahn & Bengio (2017), arXiv:1609.01704, applied to the logistic sigmoid, as in the "Binary stochastic neurons in TensorFlow" experiments (R2RT, 2016)',
  family: 'pathwise-surrogate',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: false,
  params: slopeAnnealingParams,
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
