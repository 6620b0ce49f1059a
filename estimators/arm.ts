import { defineEstimator } from '../core/estimator.js';

/**
 * ARM, the augment-REINFORCE-merge estimator: one uniform u per unit, shared by an antithetic pair of
 * full samples b¹ = 1[u > 1 − p] (evaluation 0) and b² = 1[u < p] (evaluation 1), both Bernoulli(p);
 * g = (f(b¹) − f(b²)) (u − ½). For a vector of units the pair shares the whole u vector and f is
 * evaluated at the two full vectors, as in the paper. Unbiased; two evaluations per estimate.
 */
export const arm = defineEstimator({
  id: 'arm',
  title: 'ARM (augment-REINFORCE-merge)',
  citation: 'Yin & Zhou (2019), "ARM: Augment-REINFORCE-Merge gradient for stochastic binary networks", ICLR, arXiv:1807.11143',
  family: 'score-function',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: true,
  params: {},
  noise: ['uniform'],
  evaluations: 2,
  needs: { objective: true, objectiveGradient: false },
  kernels: {
    forward: function armForward(p: number, u: number, evaluation: number): number {
      // Comparisons of the random u without a branch, as in hardBernoulliSample: ceil(y − x) + 0 is
      // 1[x < y] (the evaluation's branch is predictable, u's would be mispredicted half the time).
      if (evaluation < 0.5) return Math.ceil(u - (1 - p)) + 0;
      return Math.ceil(p - u) + 0;
    },
    // Each evaluation adds its signed share: the sum over the pair is (f(b¹) − f(b²)) (u − ½).
    gradient: function armGradient(u: number, objective: number, evaluation: number): number {
      const signedObjective = evaluation < 0.5 ? objective : -objective;
      return signedObjective * (u - 0.5);
    },
  },
});
