import { defineEstimator } from './estimator.js';

/**
 * Binary Concrete relaxation: h = sigmoid((theta + log u - log(1 - u)) / tau); the objective is
 * evaluated at the relaxed h and the gradient flows through it: dh/dtheta = h (1 - h) / tau.
 */
export const gumbelSoftmax = defineEstimator({
  id: 'gumbel-softmax',
  title: 'Gumbel-softmax / binary Concrete',
  citation: 'Jang, Gu & Poole (2016), arXiv:1611.01144; Maddison, Mnih & Teh (2016), arXiv:1611.00712',
  family: 'relaxation',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: false,
  params: {
    tau: { description: 'relaxation temperature (lower: closer to hard samples, noisier gradients)', default: 0.5, minimum: 0, exclusiveMinimum: true },
  },
  noise: ['uniform'],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  kernels: {
    forward: function gumbelSoftmaxForward(theta: number, p: number, u: number, v: number, evaluation: number, tau: number): number {
      // sigmoid((theta + log(u / (1 - u))) / tau) = 1 / (1 + r^(1/tau)) with r = exp(-theta) (1 - u) / u
      // = (1 - p)(1 - u) / (p u): no exp or log per element, and for integer 1/tau (the default
      // tau = 0.5 among them) no pow through exp/log either.
      const ratio = ((1 - p) * (1 - u)) / (p * u);
      const inverseTau = 1 / tau;
      const power = inverseTau === Math.floor(inverseTau) ? Math.pow(ratio, inverseTau) : Math.exp(Math.log(ratio) * inverseTau);
      return 1 / (1 + power);
    },
    gradient: function gumbelSoftmaxGradient(
      theta: number, p: number, u: number, v: number, h: number, dLdh: number,
      objective: number, objectiveSum: number, baseline: number, evaluation: number, tau: number,
    ): number {
      return (dLdh * h * (1 - h)) / tau;
    },
  },
});
