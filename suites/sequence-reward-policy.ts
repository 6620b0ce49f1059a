import { hashSeed, Rng } from '../core/rng.js';

/** Most sequences the exact reference enumerates (K^D). */
export const maxEnumeratedSequences = 2 ** 16;

/**
 * How the policy is parametrised: `factorised`, logits θᵢ per position (D·K parameters), or
 * `autoregressive`, first order: position i's logits θᵢ + A[xᵢ₋₁] with A a learned K × K table
 * (D·K + K·K parameters; position 0 from θ₀ alone).
 */
export const sequencePolicies = ['factorised', 'autoregressive'] as const;
export type SequencePolicy = (typeof sequencePolicies)[number];

/**
 * Where the KL penalty goes and how it is estimated: `k1-reward`, β Σᵢ log πᵢ/π_ref,ᵢ of the sampled
 * tokens added to each sequence's loss and held fixed (TRL's and OpenRLHF's PPO default), or `k3-loss`,
 * β Σᵢ (π_ref,ᵢ/πᵢ − log(π_ref,ᵢ/πᵢ) − 1) of the sampled tokens added to the loss and differentiated
 * directly, outside the advantage (GRPO as DeepSeekMath writes it; TRL's GRPOTrainer).
 */
export const klPlacements = ['k1-reward', 'k3-loss'] as const;
export type KlPlacement = (typeof klPlacements)[number];

/**
 * The fixed parts of a sequence-reward problem: D positions of K tokens, the bigram table that scores
 * a sequence, the reference policy's logits and the KL weight β. Arrays are row-major; logits are
 * position-major (position · K + token), as the categorical node lays out units.
 */
export interface SequenceSetting {
  readonly positions: number;
  readonly classes: number;
  /** B[a · K + b]: the score of token a followed by token b, uniform on [0, 1). */
  readonly bigrams: Float64Array;
  readonly referenceLogits: Float64Array;
  readonly beta: number;
  readonly policy: SequencePolicy;
  readonly kl: KlPlacement;
}

/** Trained parameters of a setting's policy: θ (position-major), then A (row = previous token) when autoregressive. */
export function policyParameterCount(setting: SequenceSetting): number {
  const { positions, classes, policy } = setting;
  return positions * classes + (policy === 'autoregressive' ? classes * classes : 0);
}

/**
 * Draws the setting from `seed`, each part from its own stream: the bigram table (uniform entries),
 * the reference policy's logits (N(0, 1), factorised whatever the policy) and the policy's starting
 * parameters (N(0, 0.5²): θ, then A for the autoregressive policy, from a stream of its own so that θ
 * is the factorised policy's).
 */
export function drawSequenceSetting(
  positions: number, classes: number, beta: number, seed: number,
  { policy = 'factorised', kl = 'k1-reward' }: { policy?: SequencePolicy; kl?: KlPlacement } = {},
): { setting: SequenceSetting; initialLogits: Float64Array } {
  const draw = (purpose: string, count: number, next: (rng: Rng) => number) => {
    const rng = new Rng(hashSeed('sequence-reward', purpose, seed));
    return Float64Array.from({ length: count }, () => next(rng));
  };
  const width = positions * classes;
  const setting: SequenceSetting = {
    positions, classes, beta, policy, kl,
    bigrams: draw('bigrams', classes * classes, (rng) => rng.nextUniform()),
    referenceLogits: draw('reference', width, (rng) => rng.nextNormal()),
  };
  const initialLogits = new Float64Array(policyParameterCount(setting));
  initialLogits.set(draw('start', width, (rng) => 0.5 * rng.nextNormal()));
  if (policy === 'autoregressive') initialLogits.set(draw('transitions', classes * classes, (rng) => 0.5 * rng.nextNormal()), width);
  return { setting, initialLogits };
}

/** log softmax of each position's K logits. */
export function positionLogSoftmax(logits: Float64Array, classes: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let start = 0; start < logits.length; start += classes) {
    let largest = -Infinity;
    for (let k = 0; k < classes; k++) largest = Math.max(largest, logits[start + k]);
    let total = 0;
    for (let k = 0; k < classes; k++) total += Math.exp(logits[start + k] - largest);
    const logTotal = largest + Math.log(total);
    for (let k = 0; k < classes; k++) out[start + k] = logits[start + k] - logTotal;
  }
  return out;
}

/**
 * The per-token KL weight w = β (log π − log π_ref) at `logits` (position-major): the k1 estimate of
 * β·KL(π‖π_ref) for a sequence x is Σᵢ w[i, xᵢ], held fixed (no gradient flows through it).
 */
export function klTokenWeights(setting: SequenceSetting, logits: Float64Array): Float64Array {
  return logRatios(setting, logits).map((logRatio) => setting.beta * logRatio);
}

/** log πᵢ(a) − log π_ref,ᵢ(a) for every position i and token a. */
function logRatios(setting: SequenceSetting, logits: Float64Array): Float64Array {
  const reference = positionLogSoftmax(setting.referenceLogits, setting.classes);
  return positionLogSoftmax(logits, setting.classes).map((logProbability, index) => logProbability - reference[index]);
}

/** r(x) = (1/(D − 1)) Σᵢ B[xᵢ, xᵢ₊₁] of a sequence of token indices. */
export function sequenceReward(setting: SequenceSetting, tokens: ArrayLike<number>): number {
  let total = 0;
  for (let position = 0; position + 1 < setting.positions; position++) total += setting.bigrams[tokens[position] * setting.classes + tokens[position + 1]];
  return total / (setting.positions - 1);
}

/**
 * The loss of each row of h and, when asked, dL/dh. On a one-hot sequence x,
 * L(x) = −r(x) + Σᵢ w[i, xᵢ] with r(x) = (1/(D − 1)) Σᵢ B[xᵢ, xᵢ₊₁] and w the KL weights; on relaxed rows
 * (points of each position's simplex) the same bilinear-plus-linear form
 * L(h) = −(1/(D − 1)) Σᵢ hᵢᵀ B hᵢ₊₁ + Σᵢ wᵢ·hᵢ, which equals L(x) on one-hot rows.
 */
export function sequenceLosses(setting: SequenceSetting, weights: Float64Array, h: Float64Array, wantGradient: boolean): { value: Float64Array; gradient: Float64Array | null } {
  const { positions, classes, bigrams } = setting;
  const width = positions * classes;
  const rows = h.length / width;
  const pairScale = 1 / (positions - 1);
  const value = new Float64Array(rows);
  const gradient = wantGradient ? new Float64Array(h.length) : null;
  for (let row = 0; row < rows; row++) {
    const base = row * width;
    let loss = 0;
    for (let index = 0; index < width; index++) loss += weights[index] * h[base + index];
    if (gradient) gradient.set(weights, base);
    for (let position = 0; position + 1 < positions; position++) {
      const here = base + position * classes;
      const next = here + classes;
      for (let a = 0; a < classes; a++) {
        // Without a gradient, zero entries add nothing: a one-hot row costs D terms rather than D·K².
        if (!gradient && h[here + a] === 0) continue;
        for (let b = 0; b < classes; b++) {
          const score = pairScale * bigrams[a * classes + b];
          loss -= score * h[here + a] * h[next + b];
          if (gradient) {
            gradient[here + a] -= score * h[next + b];
            gradient[next + b] -= score * h[here + a];
          }
        }
      }
    }
    value[row] = loss;
  }
  return { value, gradient };
}

/**
 * log πᵢ(a | xᵢ₋₁ = c) for every position i, previous token c and token a, [D × K × K] (index
 * (i · K + c) · K + a), from the policy's parameters: softmax(θᵢ + A[c]) for an autoregressive policy's
 * positions i ≥ 1, softmax(θᵢ) for every c otherwise.
 */
export function conditionalLogPolicy(setting: SequenceSetting, params: Float64Array): Float64Array {
  const { positions, classes, policy } = setting;
  const width = positions * classes;
  const logits = new Float64Array(width * classes);
  for (let position = 0; position < positions; position++) {
    for (let previous = 0; previous < classes; previous++) {
      const start = (position * classes + previous) * classes;
      for (let token = 0; token < classes; token++) {
        const transition = policy === 'autoregressive' && position > 0 ? params[width + previous * classes + token] : 0;
        logits[start + token] = params[position * classes + token] + transition;
      }
    }
  }
  return positionLogSoftmax(logits, classes);
}

/**
 * Adds `amount` times ∂ log πᵢ(xᵢ | xᵢ₋₁)/∂(position i's logits), the score 1[a = xᵢ] − πᵢ(a | xᵢ₋₁),
 * to `gradient` (length: the policy's parameters) for every position i of `tokens`, each position
 * weighted by `weights[i]` (null: 1): to θᵢ, and to the row A[xᵢ₋₁] for an autoregressive policy's i ≥ 1.
 */
export function addPolicyScores(
  setting: SequenceSetting, logPolicy: Float64Array, tokens: ArrayLike<number>, amount: number, weights: ArrayLike<number> | null, gradient: Float64Array,
): void {
  const { positions, classes, policy } = setting;
  const width = positions * classes;
  for (let position = 0; position < positions; position++) {
    const previous = position > 0 ? tokens[position - 1] : 0;
    const start = (position * classes + previous) * classes;
    const scale = amount * (weights ? weights[position] : 1);
    const transitionRow = policy === 'autoregressive' && position > 0 ? width + previous * classes : -1;
    for (let token = 0; token < classes; token++) {
      const share = scale * ((token === tokens[position] ? 1 : 0) - Math.exp(logPolicy[start + token]));
      gradient[position * classes + token] += share;
      if (transitionRow >= 0) gradient[transitionRow + token] += share;
    }
  }
}

/** Exact moments of the policy at some parameters, from every sequence. */
export interface SequenceEnumeration {
  /** E[L] = −E[r] + β·KL(π‖π_ref). */
  readonly loss: number;
  /** ∇ E_π[L] with respect to the policy's parameters, the KL weights held fixed: ∇(−E[r] + β·KL). */
  readonly gradient: Float64Array;
  readonly expectedReward: number;
  readonly kl: number;
}

/**
 * Visits all K^D sequences x (position 0 varying slowest), with π(x) = Πᵢ πᵢ(xᵢ | xᵢ₋₁), and sums
 * E[L] = Σ π(x) L(x) with L(x) = −r(x) + β Σᵢ log(πᵢ(xᵢ | xᵢ₋₁)/π_ref,ᵢ(xᵢ)), and its gradient by the
 * score-function identity Σ π(x) L(x) ∇ log π(x) with L's log-ratios held fixed at `params`. Since
 * Σ π ∇ log π = 0, that is also the gradient of −E[r] + β·KL(π‖π_ref), whose KL term does depend on
 * the parameters. The KL is reported whatever `setting.kl` says: the reference is the same for both
 * placements. O(K^D · D · K).
 */
export function enumerateSequences(setting: SequenceSetting, params: Float64Array): SequenceEnumeration {
  const { positions, classes, beta } = setting;
  const logPolicy = conditionalLogPolicy(setting, params);
  const logReference = positionLogSoftmax(setting.referenceLogits, classes);
  const tokens = new Int32Array(positions);
  const gradient = new Float64Array(policyParameterCount(setting));
  let loss = 0;
  let expectedReward = 0;
  let kl = 0;
  const count = classes ** positions;
  for (let sequence = 0; sequence < count; sequence++) {
    let rest = sequence;
    for (let position = positions - 1; position >= 0; position--) {
      tokens[position] = rest % classes;
      rest = Math.floor(rest / classes);
    }
    let logProbability = 0;
    let logRatio = 0;
    for (let position = 0; position < positions; position++) {
      const previous = position > 0 ? tokens[position - 1] : 0;
      const logStep = logPolicy[(position * classes + previous) * classes + tokens[position]];
      logProbability += logStep;
      logRatio += logStep - logReference[position * classes + tokens[position]];
    }
    const probability = Math.exp(logProbability);
    const reward = sequenceReward(setting, tokens);
    const sequenceLoss = -reward + beta * logRatio;
    loss += probability * sequenceLoss;
    expectedReward += probability * reward;
    kl += probability * logRatio;
    addPolicyScores(setting, logPolicy, tokens, probability * sequenceLoss, null, gradient);
  }
  return { loss, gradient, expectedReward, kl };
}
