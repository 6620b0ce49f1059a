import { defineEstimator } from './estimator.js';

/**
 * Multiplicative noise injection on the node's smooth part: h = σ(θ) · m with mean-one Gaussian noise
 * m = 1 + sigma · ε, ε ~ N(0, 1) (Gaussian dropout; sigma = 1 matches dropout's keep rate ½), so that
 * E[h] = σ(θ) like the Bernoulli node it stands for. The noise is treated as a constant and the gradient
 * flows through the smooth part: dh/dθ = m σ'(θ). Biased with respect to the hard node: L is evaluated
 * at a continuous h.
 *
 * Source note: Bengio, Léonard & Courville (2013) name "the injection of additive or multiplicative
 * noise in a computational graph that is otherwise differentiable" as one family of estimators. Their
 * full text was not available when this was written; this is the widely documented reading for a
 * Bernoulli node (mean-one noise times the sigmoid, the Gaussian counterpart of the binary noise of
 * `stochastic-times-smooth`), not a transcription of the paper's equations.
 */
export const multiplicativeNoise = defineEstimator({
  id: 'multiplicative-noise',
  title: 'Multiplicative noise injection',
  citation: 'Bengio, Léonard & Courville (2013), arXiv:1308.3432 (noise injection); Srivastava et al. (2014), JMLR 15 (Gaussian dropout)',
  family: 'relaxation',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: false,
  params: {
    sigma: { description: 'standard deviation of the mean-one Gaussian factor m = 1 + sigma * eps', default: 1, minimum: 0 },
  },
  noise: ['normal'],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  kernels: {
    forward: function multiplicativeNoiseForward(p: number, u: number, sigma: number): number {
      return p * (1 + sigma * u);
    },
    gradient: function multiplicativeNoiseGradient(p: number, u: number, dLdh: number, sigma: number): number {
      return dLdh * (1 + sigma * u) * p * (1 - p);
    },
  },
});
