import { defineEstimator } from '../core/estimator.js';

/**
 * DisARM: ARM's antithetic pair b = 1[u < p] (evaluation 0) and b' = 1[u > 1 − p] (evaluation 1), the
 * same u, with u integrated out given the pair:
 * g = ½ (f(b) − f(b')) (−1)^b' 1[b ≠ b'] σ(|θ|), where σ(|θ|) = max(p, 1 − p).
 * It is the conditional expectation of ARM given (b, b'), so it is unbiased and its variance per unit is
 * never above ARM's (Rao–Blackwell). Pairs with b = b' contribute nothing.
 */
export const disarm = defineEstimator({
  id: 'disarm',
  title: 'DisARM (antithetic ARM, u integrated out)',
  citation: 'Dong, Mnih & Tucker (2020), "DisARM: An antithetic gradient estimator for binary latent variables", NeurIPS, arXiv:2006.10680',
  family: 'score-function',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: true,
  params: {},
  noise: ['uniform'],
  evaluations: 2,
  needs: { objective: true, objectiveGradient: false },
  kernels: {
    forward: function disarmForward(p: number, u: number, evaluation: number): number {
      // Comparisons of the random u without a branch, as in hardBernoulliSample: ceil(y − x) + 0 is
      // 1[x < y] (the evaluation's branch is predictable, u's would be mispredicted half the time).
      if (evaluation < 0.5) return Math.ceil(p - u) + 0;
      return Math.ceil(u - (1 - p)) + 0;
    },
    // The whole estimate is added at evaluation 1, where objective = f(b') and objectiveSum − objective
    // = f(b). The pair differs exactly when u < min(p, 1 − p) (then b = 1, b' = 0) or u > 1 − min(p, 1 − p)
    // (then b = 0, b' = 1), as the forward pass's comparisons give except on the ties u = p or u = 1 − p
    // (probability zero), so (−1)^b' 1[b ≠ b'] is this sign.
    gradient: function disarmGradient(p: number, u: number, objective: number, objectiveSum: number, evaluation: number): number {
      if (evaluation < 0.5) return 0;
      const smaller = Math.min(p, 1 - p);
      // 1[u < m] − 1[u > 1 − m] without a branch (the two cannot both hold, since m ≤ ½).
      const direction = (Math.ceil(smaller - u) + 0) - (Math.ceil(u - (1 - smaller)) + 0);
      return 0.5 * (objectiveSum - 2 * objective) * (1 - smaller) * direction;
    },
  },
});
