import { defineEstimator } from './estimator.js';

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
      if (evaluation < 0.5) return u < p ? 1 : 0;
      return u > 1 - p ? 1 : 0;
    },
    // Recomputes the pair from (u, p) as the forward did; each evaluation adds its signed share.
    gradient: function disarmGradient(p: number, u: number, objective: number, evaluation: number): number {
      const sample = u < p ? 1 : 0;
      const antithetic = u > 1 - p ? 1 : 0;
      if (Math.abs(sample - antithetic) < 0.5) return 0;
      const weight = antithetic > 0.5 ? -0.5 * Math.max(p, 1 - p) : 0.5 * Math.max(p, 1 - p);
      return evaluation < 0.5 ? weight * objective : -weight * objective;
    },
  },
});
