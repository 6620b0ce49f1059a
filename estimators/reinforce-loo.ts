import { defineEstimator } from '../core/estimator.js';
import { groupSampleFields, groupSizeParameter } from './group-samples.js';

/**
 * (f(sample) − mean of the other k − 1 values)(h − p) / k for one evaluation. On categorical nodes it is
 * the same per element: the score of a one-hot sample D ~ Categorical(pi) is d log pi_D / d theta_j =
 * D_j − pi_j, and the categorical kernels bind h = D_j and p = pi_j.
 */
function reinforceLooGradient(p: number, h: number, objective: number, objectiveSum: number, k: number): number {
  const othersMean = (objectiveSum - objective) / (k - 1);
  return ((objective - othersMean) * (h - p)) / k;
}

/**
 * REINFORCE with the leave-one-out baseline: k independent samples b⁽¹⁾ … b⁽ᵏ⁾ of the node, and
 * g = (1/k) Σⱼ (f(b⁽ʲ⁾) − mean of the other k − 1 values) (b⁽ʲ⁾ − p). Each sample's baseline comes from
 * the other samples only, so it is independent of that sample and the estimate stays unbiased; the
 * same form is (1/(k − 1)) Σⱼ (f(b⁽ʲ⁾) − mean of all k) (b⁽ʲ⁾ − p). One estimate costs k evaluations.
 * Bernoulli and categorical nodes (k one-hot samples, each from its own exponential draws).
 */
export const reinforceLoo = defineEstimator({
  id: 'reinforce-loo',
  title: 'REINFORCE with leave-one-out baseline',
  citation: 'Kool, van Hoof & Welling (2019), "Buy 4 REINFORCE samples, get a baseline for free!", ICLR workshop DeepRLStructPred',
  nodeKinds: ['bernoulli', 'categorical'],
  claimsUnbiased: true,
  params: {
    k: groupSizeParameter,
  },
  ...groupSampleFields(reinforceLooGradient, true),
});
