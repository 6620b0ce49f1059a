import { defineEstimator } from './estimator.js';
import { hardBernoulliSample } from './hard-bernoulli-sample.js';

/** Hard Bernoulli sample forward; the downstream gradient is copied to the logit unchanged. */
export const steIdentity = defineEstimator({
  id: 'ste-identity',
  title: 'Straight-through (identity)',
  citation: 'Hinton (2012) lecture 9c; Bengio, Léonard & Courville (2013), arXiv:1308.3432',
  family: 'pathwise-surrogate',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: false,
  params: {},
  noise: ['uniform'],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  kernels: {
    forward: hardBernoulliSample,
    gradient: function steIdentityGradient(theta: number, p: number, u: number, v: number, h: number, dLdh: number): number {
      return dLdh;
    },
  },
});
