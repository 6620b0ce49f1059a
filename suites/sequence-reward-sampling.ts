import { Rng } from '../core/rng.js';
import type { HardNodeStage } from '../core/suite.js';
import {
  addPolicyScores, conditionalLogPolicy, policyParameterCount, positionLogSoftmax, sequenceReward, type SequenceSetting,
} from './sequence-reward-policy.js';

/** The token of each position of h row `row` (one-hot rows of D units of K, as a score-function estimator's forward gives them). */
export function sampledTokens(h: Float64Array, row: number, setting: SequenceSetting, tokens: Int32Array): Int32Array {
  const { positions, classes } = setting;
  const base = row * positions * classes;
  for (let position = 0; position < positions; position++) {
    let token = 0;
    for (let a = 1; a < classes; a++) if (h[base + position * classes + a] > h[base + position * classes + token]) token = a;
    tokens[position] = token;
  }
  return tokens;
}

/**
 * Adds the k3-in-the-loss term's gradient, as GRPO differentiates it, to each estimate's gradient row
 * (`gradients`, [estimates × the policy's parameters]): for every evaluation e of the estimate (h rows
 * estimate · evaluations + e) and every position i, (β/k) ∇ k3ᵢ with k3ᵢ = uᵢ − log uᵢ − 1 and
 * uᵢ = π_ref,ᵢ(xᵢ)/πᵢ(xᵢ | xᵢ₋₁) at the sampled token, the sample held fixed:
 * ∇ k3ᵢ = (1 − uᵢ) ∇ log πᵢ(xᵢ | xᵢ₋₁). The 1/k is the group average the advantages take too.
 */
export function addK3LossGradient(setting: SequenceSetting, params: Float64Array, h: Float64Array, evaluations: number, gradients: Float64Array): void {
  const { positions, classes, beta } = setting;
  const logPolicy = conditionalLogPolicy(setting, params);
  const logReference = positionLogSoftmax(setting.referenceLogits, classes);
  const parameters = policyParameterCount(setting);
  const estimates = gradients.length / parameters;
  const tokens = new Int32Array(positions);
  const weights = new Float64Array(positions);
  for (let estimate = 0; estimate < estimates; estimate++) {
    const gradient = gradients.subarray(estimate * parameters, (estimate + 1) * parameters);
    for (let evaluation = 0; evaluation < evaluations; evaluation++) {
      sampledTokens(h, estimate * evaluations + evaluation, setting, tokens);
      for (let position = 0; position < positions; position++) {
        const previous = position > 0 ? tokens[position - 1] : 0;
        const logRatio = logReference[position * classes + tokens[position]] - logPolicy[(position * classes + previous) * classes + tokens[position]];
        weights[position] = 1 - Math.exp(logRatio);
      }
      addPolicyScores(setting, logPolicy, tokens, beta / evaluations, weights, gradient);
    }
  }
}

/**
 * `count` gradient estimates for the autoregressive policy through a node with logits per evaluation
 * (`HardNodeOptions.logitsPerEvaluation`): every group member's sequence is drawn position by position,
 * position i's logits log πᵢ(· | xᵢ₋₁) read from that member's own previous token. The node's forward
 * is a function of the logits and the noise, so it runs D times on one noise stream: after pass i,
 * positions 0 … i are final, and pass i + 1 sees position i + 1's logits from token xᵢ (earlier
 * positions' logits, and so their tokens, do not change). The estimator's backward gives each member's
 * dL/dlogits; each position's share goes to θᵢ and, for i ≥ 1, to the row A[xᵢ₋₁] of that member.
 * Score-function estimators only (their h is the one-hot sample). With `kl` k1-reward each member's loss
 * is −r(x) + β Σᵢ log(πᵢ(xᵢ | xᵢ₋₁)/π_ref,ᵢ(xᵢ)); with k3-loss it is −r(x) and `addK3LossGradient` follows.
 */
export async function autoregressiveEstimates(setting: SequenceSetting, node: HardNodeStage, params: Float64Array, count: number, rng: Rng, step: number): Promise<Float64Array> {
  const { positions, classes, beta } = setting;
  const width = positions * classes;
  const evaluations = node.evaluations;
  const members = count * evaluations;
  const logPolicy = conditionalLogPolicy(setting, params);
  const logReference = positionLogSoftmax(setting.referenceLogits, classes);
  // Log-probabilities are logits of the same softmax. Positions not yet drawn start from token 0's row.
  const logits = new Float64Array(members * width);
  const setPosition = (member: number, position: number, previous: number) =>
    logits.set(logPolicy.subarray((position * classes + previous) * classes, (position * classes + previous + 1) * classes), member * width + position * classes);
  for (let member = 0; member < members; member++) for (let position = 0; position < positions; position++) setPosition(member, position, 0);
  const noiseSeed = rng.nextUint32();
  const tokens = new Int32Array(positions);
  let forward = await node.forward(logits, count, new Rng(noiseSeed), step);
  for (let position = 1; position < positions; position++) {
    for (let member = 0; member < members; member++) setPosition(member, position, sampledTokens(forward.h, member, setting, tokens)[position - 1]);
    forward = await node.forward(logits, count, new Rng(noiseSeed), step);
  }
  const objectives = new Float64Array(members);
  for (let member = 0; member < members; member++) {
    sampledTokens(forward.h, member, setting, tokens);
    let logRatio = 0;
    for (let position = 0; position < positions; position++) {
      const previous = position > 0 ? tokens[position - 1] : 0;
      logRatio += logPolicy[(position * classes + previous) * classes + tokens[position]] - logReference[position * classes + tokens[position]];
    }
    objectives[member] = -sequenceReward(setting, tokens) + (setting.kl === 'k1-reward' ? beta * logRatio : 0);
  }
  const dLogits = await node.backward(forward, objectives, null, null, step);
  const parameters = policyParameterCount(setting);
  const gradients = new Float64Array(count * parameters);
  for (let member = 0; member < members; member++) {
    const gradient = Math.floor(member / evaluations) * parameters;
    sampledTokens(forward.h, member, setting, tokens);
    for (let index = 0; index < width; index++) {
      const position = Math.floor(index / classes);
      const share = dLogits[member * width + index];
      gradients[gradient + index] += share;
      if (position > 0) gradients[gradient + width + tokens[position - 1] * classes + (index - position * classes)] += share;
    }
  }
  if (setting.kl === 'k3-loss') addK3LossGradient(setting, params, forward.h, evaluations, gradients);
  return gradients;
}
