import { defineEstimator } from '../core/estimator.js';
import { hardBernoulliSample } from './hard-bernoulli-sample.js';

/**
 * The downstream gradient copied to the logit unchanged (proxy derivative 1). On a Bernoulli node the
 * forward pass is a hard sample; on a deterministic node it is the suite's op (step, sign, quantizer),
 * the `out = in + stop_gradient(hard(in) - in)` of TensorFlow and PyTorch code.
 */
export const steIdentity = defineEstimator({
  id: 'ste-identity',
  title: 'Straight-through (identity)',
  citation: 'Hinton (2012) lecture 9c; Bengio, Léonard & Courville (2013), arXiv:1308.3432',
  family: 'pathwise-surrogate',
  nodeKinds: ['bernoulli', 'deterministic'],
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
