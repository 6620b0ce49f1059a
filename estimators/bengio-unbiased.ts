import { defineEstimator } from '../core/estimator.js';
import { hardBernoulliSample } from './hard-bernoulli-sample.js';

/**
 * Score-function estimator with the minimum-variance per-unit baseline
 * c_i = E[(b_i - p_i)^2 L] / E[(b_i - p_i)^2]; the baseline comes from an independent pilot batch,
 * so the estimate stays unbiased.
 */
export const bengioUnbiased = defineEstimator({
  id: 'bengio-unbiased',
  title: 'Unbiased centred estimator',
  citation: 'Bengio, Léonard & Courville (2013), arXiv:1308.3432, section 3',
  family: 'score-function',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: true,
  params: {},
  noise: ['uniform'],
  evaluations: 1,
  needs: { objective: true, objectiveGradient: false },
  baselinePilotSamples: 1024,
  kernels: {
    forward: hardBernoulliSample,
    gradient: function bengioGradient(
      theta: number, p: number, u: number, v: number, h: number, dLdh: number,
      objective: number, objectiveSum: number, baseline: number,
    ): number {
      return (h - p) * (objective - baseline);
    },
    baselineWeight: function bengioBaselineWeight(theta: number, p: number, u: number, v: number, h: number): number {
      return (h - p) * (h - p);
    },
  },
});
