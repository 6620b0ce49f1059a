import { defineEstimator } from '../core/estimator.js';
import { groupSampleFields, groupSizeParameter } from './group-samples.js';

/**
 * One evaluation's share of the GRPO estimate: the group-normalised advantage
 * A = (f − mean) / (std + ε) times the score (h − p), over k. `std` is the group's sample standard
 * deviation (Bessel's k − 1, as torch's `std` that TRL and OpenRLHF call), in two passes over the
 * group's objective values (the `objectives` array), so no cancellation can make it negative.
 */
function grpoGradient(
  p: number, h: number, objective: number, objectives: ArrayLike<number>, objectivesStart: number, k: number, epsilon: number,
): number {
  let sum = 0;
  for (let member = 0; member < k; member++) sum += objectives[objectivesStart + member];
  const mean = sum / k;
  let squares = 0;
  for (let other = 0; other < k; other++) {
    const deviation = objectives[objectivesStart + other] - mean;
    squares += deviation * deviation;
  }
  return (((objective - mean) / (Math.sqrt(squares / (k - 1)) + epsilon)) * (h - p)) / k;
}

/**
 * GRPO's group-relative advantage as a gradient estimator: k independent samples of the node (the
 * group, one prompt's k completions), each scored by f, and g = (1/k) Σⱼ Aⱼ (b⁽ʲ⁾ − p) with
 * Aⱼ = (f(b⁽ʲ⁾) − mean of the k values) / (their standard deviation + ε). Dividing by the group's own
 * standard deviation makes the estimate a ratio of dependent random quantities, so it is biased (its
 * mean is not a multiple of the gradient in general); the sequence-reward suite measures by how much.
 * Only the advantage is modelled: one on-policy step has ratio 1, so PPO's clipping never binds, and
 * a sequence of fixed length has no length normalisation to choose. Categorical nodes only: the same
 * kernel would serve Bernoulli nodes, but the tests' hand-derived expectation there is per unit, and
 * GRPO's mean on one unit depends on every unit through the group's standard deviation.
 */
export const grpo = defineEstimator({
  id: 'grpo',
  title: 'GRPO (group-normalised advantage)',
  citation: 'Shao et al. (2024), "DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language Models", arXiv:2402.03300',
  nodeKinds: ['categorical'],
  claimsUnbiased: false,
  params: {
    k: groupSizeParameter,
    epsilon: { description: 'added to the group standard deviation before dividing (TRL: 1e-4)', default: 1e-4, minimum: 0, exclusiveMinimum: true },
  },
  ...groupSampleFields(grpoGradient, false),
});
