import { numericValues, type ParameterValues } from '../core/parameters.js';
import { defineSuite } from '../core/suite.js';
import { parametersAsLogits, singleNodeEstimates, type SingleNodeStages } from '../models/single-node.js';
import { drawSequenceSetting, enumerateSequences, klTokenWeights, maxEnumeratedSequences, sequenceLosses } from './sequence-reward-policy.js';

/** Why K^D is too many sequences to enumerate, or null. */
function enumerationProblem(params: ParameterValues): string | null {
  const { dim: positions, classes } = numericValues(params);
  const count = classes ** positions;
  return count > maxEnumeratedSequences
    ? `classes^dim = ${classes}^${positions} = ${count} sequences, more than the ${maxEnumeratedSequences} the exact reference enumerates; lower dim or classes`
    : null;
}

/**
 * A policy over sequences of D tokens from a vocabulary of K, as LLM reinforcement learning trains
 * one: a factorised policy π(x) = Πᵢ softmax(θᵢ)[xᵢ] (D categorical units of K classes), a reward
 * over whole sequences that is not separable, r(x) = (1/(D − 1)) Σᵢ B[xᵢ, xᵢ₊₁] with a seeded bigram
 * table B of uniform [0, 1) entries, and a KL penalty to a seeded reference policy π_ref put in the
 * reward as TRL's and OpenRLHF's PPO do by default (k1, held fixed): each sampled sequence sees the loss
 * L(x) = −r(x) + β (log π(x) − log π_ref(x)), with the log-ratio at the current logits and no gradient
 * through it. The quantity estimated is ∇θ E_π[L], which equals ∇θ (−E[r] + β·KL(π‖π_ref)) because
 * E_π[∇ log π] = 0. The reference enumerates all K^D sequences (at most 2^16). A staged problem: the
 * loss reads the current logits, which a kernel objective cannot. Relaxed estimators see the
 * multilinear extension of L (see `sequenceLosses`).
 */
export const sequenceReward = defineSuite({
  id: 'sequence-reward',
  title: 'Sequence reward: a policy over K^D token sequences with a KL penalty',
  description: 'D categorical tokens of K classes (factorised policy, seeded N(0, 0.5²) start), loss −r(x) + β(log π(x) − log π_ref(x)) with r the mean of seeded bigram scores B[x_i, x_i+1] and π_ref a seeded reference policy; exact by enumerating K^D ≤ 2^16 sequences',
  nodeKind: 'categorical',
  referenceKinds: ['enumeration'],
  // Runs when named: its `dim` is a sequence length, and a run-wide `--set dim=16` (meant for the toys'
  // units) would ask it for K^16 sequences, more than it enumerates.
  inDefaultRun: false,
  params: {
    dim: { description: 'sequence length D (positions, each one categorical unit)', default: 5, minimum: 2, maximum: 16, integer: true },
    classes: { description: 'vocabulary size K (classes per position); K^D must be at most 65536', default: 4, minimum: 2, maximum: 256, integer: true },
    beta: { description: 'KL weight β of the penalty to the reference policy, in the reward (k1)', default: 0.05, minimum: 0, maximum: 10 },
    seed: { description: 'seed of the bigram table, the reference policy and the starting logits', default: 1, minimum: 0, integer: true },
  },
  paramsProblem: enumerationProblem,
  create(params) {
    const { dim: positions, classes, beta, seed } = numericValues(params);
    const problem = enumerationProblem(params);
    if (problem) throw new Error(problem);
    const width = positions * classes;
    const { setting, initialLogits } = drawSequenceSetting(positions, classes, beta, seed);
    const asLogits = parametersAsLogits(width);
    // The pass is the logits themselves: the loss's KL weights are read at them.
    const stages: SingleNodeStages<Float64Array> = {
      rowsPerEstimate: asLogits.rowsPerEstimate,
      upstream: async (logits, count, rng) => ({ pass: logits, logits: (await asLogits.upstream(logits, count, rng)).logits }),
      objective: async (logits, h, _evaluations, wantGradient) => sequenceLosses(setting, klTokenWeights(setting, logits), h, wantGradient),
      backward: (_logits, params, dLogits, node) => asLogits.backward(null, params, dLogits, node),
    };
    return {
      kind: 'staged',
      nodeKind: 'categorical',
      initialParameters: initialLogits,
      recordedParams: {
        bigrams: Array.from(setting.bigrams), referenceLogits: Array.from(setting.referenceLogits), startLogits: Array.from(initialLogits),
      },
      prepare(context) {
        const node = context.hardNode(width, { classes });
        return {
          estimates: (logits, count, rng, step) => singleNodeEstimates(stages, node, context.estimator, logits, count, rng, step),
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
