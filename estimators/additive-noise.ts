import { defineEstimator } from '../core/estimator.js';

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
    // Both kernels are written without branches (Math.min/Math.max and comparisons compile to branches
    // that random noise mispredicts): (y + |y|) / 2 is max(y, 0) exactly, z − max(z − 1, 0) is min(z, 1)
    // exactly for 0 <= z < 2^53 (z − 1 is exact there), and (1 + x)(1 − x) > 0 exactly when −1 < x < 1.
    // For finite inputs below 2^52 in size they give the values of the clamp and the test they replace
    // (the gradient's 0 can come out as −0, which adds up the same), so no number changes
    // (test/branch-free-kernels.test.ts).
    forward: function additiveNoiseForward(theta: number, p: number, u: number, v: number, evaluation: number, sigma: number): number {
      const y = (theta + sigma * u + 1) * 0.5;
      const aboveZero = (y + Math.abs(y)) * 0.5;
      const excess = aboveZero - 1;
      return aboveZero - (excess + Math.abs(excess)) * 0.5;
    },
    gradient: function additiveNoiseGradient(
      theta: number, p: number, u: number, v: number, h: number, dLdh: number,
      objective: number, objectiveSum: number, baseline: number, evaluation: number, sigma: number,
    ): number {
      const x = theta + sigma * u;
      const room = (1 + x) * (1 - x); // in (0, 1] inside the clamp's slope, <= 0 outside
      return dLdh * 0.5 * Math.ceil((room + Math.abs(room)) * 0.125);
    },
  },
});
