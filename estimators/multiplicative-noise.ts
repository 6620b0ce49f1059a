import { defineEstimator } from '../core/estimator.js';

/**
 * Multiplicative noise injection on the node's smooth part: h = σ(θ) · m with mean-one Gaussian noise
 * m = 1 + sigma · ε, ε ~ N(0, 1) (Gaussian dropout; sigma = 1 matches dropout's keep rate ½), so that
 * E[h] = σ(θ) like the Bernoulli node it stands for. The noise is treated as a constant and the gradient
 * flows through the smooth part: dh/dθ = m σ'(θ). Biased with respect to the hard node: L is evaluated
 * at a continuous h.
 *
 * Source note (checked against what the search corpora hold; the paper's body was not among it):
 * - Read: the abstract of arXiv:1308.3432 (several mirrors). It lists noise injection (additive or
 *   multiplicative) into an otherwise differentiable graph as the third of its four estimator families,
 *   without giving a formula.
 * - Read, secondary only: independent notes on the paper. They describe its concrete unit of this family
 *   as the noisy rectifier h = max(0, a + z), additive noise before a rectifier (with logistic z,
 *   P(h > 0) = σ(a) and E[h] = softplus(a)). None gives a multiplicative form or one fitted to a
 *   Bernoulli node.
 * - Not read: the paper's sections. Which section defines the noise-injection units (issue 7 says
 *   section 4) and whether the paper writes a multiplicative form out were not checked.
 * So this kernel is this project's multiplicative reading of the family for a Bernoulli node, not the
 * paper's noisy rectifier; the additive side of the family is `additive-noise`.
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
