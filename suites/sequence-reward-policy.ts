import { hashSeed, Rng } from '../core/rng.js';

/** Most sequences the exact reference enumerates (K^D). */
export const maxEnumeratedSequences = 2 ** 16;

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
}

/**
 * Draws the setting from `seed`, each part from its own stream: the bigram table (uniform entries),
 * the reference policy's logits (N(0, 1)) and the policy's starting logits (N(0, 0.5²)).
 */
export function drawSequenceSetting(positions: number, classes: number, beta: number, seed: number): { setting: SequenceSetting; initialLogits: Float64Array } {
  const draw = (purpose: string, count: number, next: (rng: Rng) => number) => {
    const rng = new Rng(hashSeed('sequence-reward', purpose, seed));
    return Float64Array.from({ length: count }, () => next(rng));
  };
  const width = positions * classes;
  return {
    setting: {
      positions, classes, beta,
      bigrams: draw('bigrams', classes * classes, (rng) => rng.nextUniform()),
      referenceLogits: draw('reference', width, (rng) => rng.nextNormal()),
    },
    initialLogits: draw('start', width, (rng) => 0.5 * rng.nextNormal()),
  };
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

/** Exact moments of the policy at some logits, from every sequence. */
export interface SequenceEnumeration {
  /** E[L] = −E[r] + β·KL(π‖π_ref). */
  readonly loss: number;
  /** ∇θ E_π[L] with the KL weights held fixed, which is ∇θ (−E[r] + β·KL). */
  readonly gradient: Float64Array;
  readonly expectedReward: number;
  readonly kl: number;
}

/**
 * Visits all K^D sequences x (position 0 varying slowest), with π(x) = Πᵢ πᵢ(xᵢ), and sums
 * E[L] = Σ π(x) L(x) and ∂E[L]/∂θᵢₐ = Σ π(x) L(x) (1[xᵢ = a] − πᵢₐ), the score-function identity,
 * with L's KL weights fixed at `logits`. Since Σ π ∇ log π = 0, that is also the gradient of
 * −E[r] + β·KL(π‖π_ref), whose KL term does depend on θ. O(K^D · D).
 */
export function enumerateSequences(setting: SequenceSetting, logits: Float64Array): SequenceEnumeration {
  const { positions, classes, beta } = setting;
  const width = positions * classes;
  const policy = positionLogSoftmax(logits, classes).map(Math.exp);
  const ratios = logRatios(setting, logits);
  const tokens = new Int32Array(positions);
  const gradient = new Float64Array(width);
  let loss = 0;
  let expectedReward = 0;
  let kl = 0;
  const count = classes ** positions;
  for (let sequence = 0; sequence < count; sequence++) {
    let rest = sequence;
    let probability = 1;
    let logRatio = 0;
    for (let position = positions - 1; position >= 0; position--) {
      tokens[position] = rest % classes;
      rest = Math.floor(rest / classes);
      probability *= policy[position * classes + tokens[position]];
      logRatio += ratios[position * classes + tokens[position]];
    }
    const reward = sequenceReward(setting, tokens);
    const sequenceLoss = -reward + beta * logRatio;
    loss += probability * sequenceLoss;
    expectedReward += probability * reward;
    kl += probability * logRatio;
    // Σ over x of π(x) L(x) (1[xᵢ = a] − πᵢₐ): the indicator part lands on the sequence's own tokens.
    const weighted = probability * sequenceLoss;
    for (let position = 0; position < positions; position++) gradient[position * classes + tokens[position]] += weighted;
  }
  // The −πᵢₐ part summed over x is −πᵢₐ E[L].
  for (let index = 0; index < width; index++) gradient[index] -= policy[index] * loss;
  return { loss, gradient, expectedReward, kl };
}
