import { defineEstimator } from '../core/estimator.js';
import { groupSampleFields, groupSizeParameter } from './group-samples.js';

/** One evaluation's share of the Dr. GRPO estimate: (f − mean of the group) (h − p) / k. */
function drGrpoGradient(p: number, h: number, objective: number, objectiveSum: number, k: number): number {
  return ((objective - objectiveSum / k) * (h - p)) / k;
}

/**
 * Dr. GRPO's advantage: GRPO without the division by the group's standard deviation, A = f − mean of
 * the k values, and g = (1/k) Σⱼ Aⱼ (b⁽ʲ⁾ − p). Since f⁽ʲ⁾ − mean = ((k − 1)/k)(f⁽ʲ⁾ − mean of the
 * others), g is (k − 1)/k times REINFORCE leave-one-out's estimate, so E[g] = ((k − 1)/k) ∇E[f]
 * exactly: biased by −∇E[f]/k, a shrinkage only (the direction is unbiased). The paper's other change,
 * dropping the per-response length normalisation, has nothing to act on for sequences of fixed length.
 * Bernoulli and categorical nodes.
 */
export const drGrpo = defineEstimator({
  id: 'dr-grpo',
  title: 'Dr. GRPO (mean-centred group advantage)',
  citation: 'Liu et al. (2025), "Understanding R1-Zero-Like Training: A Critical Perspective", arXiv:2503.20783',
  nodeKinds: ['bernoulli', 'categorical'],
  claimsUnbiased: false,
  params: {
    k: groupSizeParameter,
  },
  ...groupSampleFields(drGrpoGradient, true),
});
