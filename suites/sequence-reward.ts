import type { EstimatorDefinition } from '../core/estimator.js';
import { numericValues, type ParameterValues, type StringParameterSpec } from '../core/parameters.js';
import { defineSuite } from '../core/suite.js';
import { parametersAsLogits, singleNodeEstimates, type SingleNodeStages } from '../models/single-node.js';
import {
  drawSequenceSetting, enumerateSequences, klPlacements, klTokenWeights, maxEnumeratedSequences, sequenceLosses, sequencePolicies,
  type KlPlacement, type SequencePolicy, type SequenceSetting,
} from './sequence-reward-policy.js';
import { addK3LossGradient, autoregressiveEstimates } from './sequence-reward-sampling.js';

/** Why K^D is too many sequences to enumerate, or null. */
function enumerationProblem(params: ParameterValues): string | null {
  const { dim: positions, classes } = numericValues(params);
  const count = classes ** positions;
  return count > maxEnumeratedSequences
    ? `classes^dim = ${classes}^${positions} = ${count} sequences, more than the ${maxEnumeratedSequences} the exact reference enumerates; lower dim or classes`
    : null;
}

/** A string parameter that takes one of `choices`, the first by default. */
function choiceParameter(choices: readonly string[], description: string): StringParameterSpec {
  return { type: 'string', description, default: choices[0], choices };
}

/**
 * Why an estimator cannot run on a setting: the autoregressive policy reads each position's sampled
 * token to choose the next position's logits, and the k3 term is a function of the sampled tokens,
 * so both need the one-hot samples of a score-function estimator; the factorised policy with the k1
 * penalty in the reward takes any categorical estimator (relaxed ones see the multilinear extension).
 */
function settingUnsupportedReason(setting: SequenceSetting, estimator: EstimatorDefinition): string | null {
  if (setting.policy === 'autoregressive' && estimator.hostTerms) {
    return `policy=autoregressive gives each evaluation logits of its own, which ${estimator.id}'s host terms (computed per row of logits) do not read`;
  }
  if (estimator.family === 'score-function') return null;
  if (setting.policy === 'autoregressive') return `policy=autoregressive samples position by position from one-hot samples; ${estimator.id} is not a score-function estimator`;
  if (setting.kl === 'k3-loss') return `kl=k3-loss differentiates k3 at the sampled tokens; ${estimator.id} is not a score-function estimator`;
  return null;
}

/**
 * A policy over sequences of D tokens from a vocabulary of K, as LLM reinforcement learning trains
 * one: factorised, π(x) = Πᵢ softmax(θᵢ)[xᵢ] (D categorical units of K classes), or first-order
 * autoregressive, πᵢ(· | xᵢ₋₁) = softmax(θᵢ + A[xᵢ₋₁]) with a learned K × K table A; a reward over
 * whole sequences that is not separable, r(x) = (1/(D − 1)) Σᵢ B[xᵢ, xᵢ₊₁] with a seeded bigram table
 * B of uniform [0, 1) entries; and a KL penalty to a seeded factorised reference policy π_ref, either
 * in the reward as TRL's and OpenRLHF's PPO do by default (k1, held fixed: each sampled sequence sees
 * L(x) = −r(x) + β Σᵢ log(πᵢ(xᵢ | ·)/π_ref,ᵢ(xᵢ))), or as GRPO does, k3 per token in the loss,
 * differentiated directly (see `addK3LossGradient`). The reference is ∇(−E[r] + β·KL(π‖π_ref)) in
 * both cases, by enumerating all K^D sequences (at most 2^16), so the scores show the k3 placement's
 * bias. A staged problem: the loss reads the current logits, which a kernel objective cannot.
 * Relaxed estimators see the multilinear extension of L (see `sequenceLosses`; factorised, k1 only).
 */
export const sequenceReward = defineSuite({
  id: 'sequence-reward',
  title: 'Sequence reward: a policy over K^D token sequences with a KL penalty',
  description: 'D categorical tokens of K classes (factorised or first-order autoregressive policy, seeded N(0, 0.5²) start), loss −r(x) + β·KL to a seeded reference policy (k1 in the reward or k3 in the loss) with r the mean of seeded bigram scores B[x_i, x_i+1]; exact by enumerating K^D ≤ 2^16 sequences',
  nodeKind: 'categorical',
  referenceKinds: ['enumeration'],
  // Runs when named: its `dim` is a sequence length, and a run-wide `--set dim=16` (meant for the toys'
  // units) would ask it for K^16 sequences, more than it enumerates.
  inDefaultRun: false,
  params: {
    dim: { description: 'sequence length D (positions, each one categorical unit)', default: 5, minimum: 2, maximum: 16, integer: true },
    classes: { description: 'vocabulary size K (classes per position); K^D must be at most 65536', default: 4, minimum: 2, maximum: 256, integer: true },
    beta: { description: 'KL weight β of the penalty to the reference policy', default: 0.05, minimum: 0, maximum: 10 },
    seed: { description: 'seed of the bigram table, the reference policy and the starting parameters', default: 1, minimum: 0, integer: true },
    policy: choiceParameter(sequencePolicies, 'factorised: logits θ_i per position; autoregressive: θ_i + A[x_(i-1)] with a learned K × K table A (score-function estimators only)'),
    kl: choiceParameter(klPlacements, 'k1-reward: β log π/π_ref of the sampled tokens in the reward, held fixed (PPO in TRL, OpenRLHF); k3-loss: β k3 per token in the loss, differentiated directly (GRPO; score-function estimators only)'),
  },
  paramsProblem: enumerationProblem,
  create(params) {
    const { dim: positions, classes, beta, seed } = numericValues(params);
    const problem = enumerationProblem(params);
    if (problem) throw new Error(problem);
    const width = positions * classes;
    const options = { policy: params.policy as SequencePolicy, kl: params.kl as KlPlacement };
    const { setting, initialLogits } = drawSequenceSetting(positions, classes, beta, seed, options);
    const asLogits = parametersAsLogits(width);
    const k3 = setting.kl === 'k3-loss';
    // The pass is the logits themselves: the loss's KL weights (k1) and the k3 term are read at them.
    const stages: SingleNodeStages<Float64Array> = {
      rowsPerEstimate: asLogits.rowsPerEstimate,
      upstream: async (logits, count, rng) => ({ pass: logits, logits: (await asLogits.upstream(logits, count, rng)).logits }),
      objective: async (logits, h, _evaluations, wantGradient) =>
        sequenceLosses(setting, k3 ? new Float64Array(width) : klTokenWeights(setting, logits), h, wantGradient),
      backward: async (logits, params, dLogits, node) => {
        const gradients = await asLogits.backward(null, params, dLogits, node);
        if (k3) addK3LossGradient(setting, logits, node.h, node.evaluations, gradients);
        return gradients;
      },
    };
    const autoregressive = setting.policy === 'autoregressive';
    return {
      kind: 'staged',
      nodeKind: 'categorical',
      initialParameters: initialLogits,
      recordedParams: {
        bigrams: Array.from(setting.bigrams), referenceLogits: Array.from(setting.referenceLogits), startLogits: Array.from(initialLogits),
      },
      unsupportedReason: (estimator) => settingUnsupportedReason(setting, estimator),
      prepare(context) {
        const node = context.hardNode(width, { classes, ...(autoregressive ? { logitsPerEvaluation: true } : {}) });
        return {
          estimates: (logits, count, rng, step) => (autoregressive
            ? autoregressiveEstimates(setting, node, logits, count, rng, step)
            : singleNodeEstimates(stages, node, context.estimator, logits, count, rng, step)),
          referenceGradient: async (logits) => ({ kind: 'enumeration', gradient: enumerateSequences(setting, logits).gradient }),
          evaluate: async (logits) => {
            const { loss, expectedReward, kl } = enumerateSequences(setting, logits);
            return { loss, metrics: { expectedReward, kl } };
          },
          dispose() {},
        };
      },
    };
  },
});
