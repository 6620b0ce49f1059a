import { defineEstimator } from './estimator.js';

/**
 * Stochastic times smooth (STS): the node's output is split into a binary stochastic part and a smooth
 * part, h = b · √p with b ~ Bernoulli(√p) and p = σ(θ), so that E[h] = p. The bit b is treated as a
 * constant and the gradient flows through the smooth part only:
 * dh/dθ = b · d√p/dθ = b · ½ √p (1 − p).
 * Biased with respect to the hard node: h is 0 or √p, not 0 or 1.
 *
 * Source note: the decomposition (p = sigm(a), b ~ Binomial(√p), h = b √p) is the paper's STS unit as
 * widely summarised; the full text was not available when this was written to check its section number
 * and any further detail.
 */
export const stochasticTimesSmooth = defineEstimator({
  id: 'stochastic-times-smooth',
  title: 'Stochastic times smooth (STS)',
  citation: 'Bengio, Léonard & Courville (2013), arXiv:1308.3432 (STS units)',
  family: 'pathwise-surrogate',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: false,
  params: {},
  noise: ['uniform'],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  kernels: {
    forward: function stochasticTimesSmoothForward(p: number, u: number): number {
      const smooth = Math.sqrt(p);
      return u < smooth ? smooth : 0;
    },
    gradient: function stochasticTimesSmoothGradient(p: number, u: number, dLdh: number): number {
      const smooth = Math.sqrt(p);
      return u < smooth ? dLdh * 0.5 * smooth * (1 - p) : 0;
    },
  },
});
