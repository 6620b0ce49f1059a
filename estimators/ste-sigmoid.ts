import { defineEstimator } from '../core/estimator.js';
import { hardBernoulliSample } from './hard-bernoulli-sample.js';

/** Hard Bernoulli sample forward; backward multiplies the downstream gradient by sigmoid'(theta). */
export const steSigmoid = defineEstimator({
  id: 'ste-sigmoid',
  title: "Straight-through (sigmoid')",
  citation: 'Bengio, Léonard & Courville (2013), arXiv:1308.3432',
  family: 'pathwise-surrogate',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: false,
  params: {},
  noise: ['uniform'],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  kernels: {
    forward: hardBernoulliSample,
    gradient: function steSigmoidGradient(theta: number, p: number, u: number, v: number, h: number, dLdh: number): number {
      return dLdh * p * (1 - p);
    },
  },
});
