import { defineEstimator } from './estimator.js';

/**
 * Noise injection: x = theta + sigma * eps, h = clamp((x + 1) / 2, 0, 1); the gradient flows through
 * the clamp at the noisy point (slope 1/2 inside (-1, 1), 0 outside).
 */
export const additiveNoise = defineEstimator({
  id: 'additive-noise',
  title: 'Additive noise injection',
  citation: 'Bengio, Léonard & Courville (2013), arXiv:1308.3432, section 4',
  family: 'relaxation',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: false,
  params: {
    sigma: { description: 'standard deviation of the injected Gaussian noise', default: 1, minimum: 0 },
  },
  noise: ['normal'],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  kernels: {
    forward: function additiveNoiseForward(theta: number, p: number, u: number, v: number, evaluation: number, sigma: number): number {
      return Math.min(Math.max((theta + sigma * u + 1) * 0.5, 0), 1);
    },
    gradient: function additiveNoiseGradient(
      theta: number, p: number, u: number, v: number, h: number, dLdh: number,
      objective: number, objectiveSum: number, baseline: number, evaluation: number, sigma: number,
    ): number {
      const x = theta + sigma * u;
      return x > -1 && x < 1 ? dLdh * 0.5 : 0;
    },
  },
});
