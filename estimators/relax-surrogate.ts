import { Rng } from '../core/rng.js';

/**
 * RELAX's surrogate network r_ρ: one hidden layer of tanh units over the D inputs of one row,
 *   r(x) = Σ_j w2_j a_j + b2,   a = tanh(W1 x + b1),
 * with its input gradient ∇ₓr = W1ᵀ (w2 ⊙ (1 − a²)) and, for the variance gradient, the vector–Jacobian
 * product of α r(x) + vᵀ∇ₓr(x) with respect to the weights, in closed form. With g = 1 − a² (so
 * ∂a_j/∂pre_j = g_j and ∂g_j/∂pre_j = −2 a_j g_j) and m = W1 v:
 *   ∂/∂w2_j = α a_j + g_j m_j,   ∂/∂b2 = α,
 *   ∂/∂b1_j = α w2_j g_j − 2 w2_j m_j a_j g_j,
 *   ∂/∂W1_jk = (α w2_j g_j − 2 w2_j m_j a_j g_j) x_k + w2_j g_j v_k.
 * Weights are one Float64Array: W1 (H × D, row-major), then b1 (H), w2 (H), b2 (1).
 */
export interface SurrogateShape {
  /** Inputs D (the node's units). */
  readonly inputs: number;
  /** Hidden units H. */
  readonly hidden: number;
}

/** Numbers in the weights array of a network of this shape. */
export function surrogateWeightCount({ inputs, hidden }: SurrogateShape): number {
  return hidden * (inputs + 2) + 1;
}

/** Initial weights: independent N(0, scale²) from a seeded stream (as the authors initialise theirs, randn · scale). */
export function initialSurrogateWeights(shape: SurrogateShape, scale: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: surrogateWeightCount(shape) }, () => scale * rng.nextNormal());
}

/**
 * r(x) for the row x = inputs[offset … offset + D); writes the hidden activations a into `activations`
 * (H numbers), which `surrogateInputGradient` and `addSurrogateWeightProduct` then read.
 */
export function surrogateValue(
  weights: Float64Array, { inputs, hidden }: SurrogateShape, x: ArrayLike<number>, offset: number, activations: Float64Array,
): number {
  const biases = hidden * inputs;
  let value = weights[biases + 2 * hidden];
  for (let unit = 0; unit < hidden; unit++) {
    let pre = weights[biases + unit];
    const row = unit * inputs;
    for (let input = 0; input < inputs; input++) pre += weights[row + input] * x[offset + input];
    activations[unit] = Math.tanh(pre);
    value += weights[biases + hidden + unit] * activations[unit];
  }
  return value;
}

/** Writes ∇ₓr (D numbers) to out[outOffset …], from the activations `surrogateValue` left at this x. */
export function surrogateInputGradient(
  weights: Float64Array, { inputs, hidden }: SurrogateShape, activations: Float64Array, out: Float64Array, outOffset: number,
): void {
  const biases = hidden * inputs;
  out.fill(0, outOffset, outOffset + inputs);
  for (let unit = 0; unit < hidden; unit++) {
    const back = weights[biases + hidden + unit] * (1 - activations[unit] * activations[unit]);
    const row = unit * inputs;
    for (let input = 0; input < inputs; input++) out[outOffset + input] += weights[row + input] * back;
  }
}

/**
 * Adds ∂/∂weights of α r(x) + vᵀ∇ₓr(x) to `gradient` (see the file comment), x and v rows of D numbers at
 * their offsets, from the activations `surrogateValue` left at this x.
 */
export function addSurrogateWeightProduct(
  weights: Float64Array, { inputs, hidden }: SurrogateShape, x: ArrayLike<number>, xOffset: number, activations: Float64Array,
  alpha: number, v: ArrayLike<number>, vOffset: number, gradient: Float64Array,
): void {
  const biases = hidden * inputs;
  gradient[biases + 2 * hidden] += alpha;
  for (let unit = 0; unit < hidden; unit++) {
    const row = unit * inputs;
    let projected = 0;
    for (let input = 0; input < inputs; input++) projected += weights[row + input] * v[vOffset + input];
    const a = activations[unit];
    const g = 1 - a * a;
    const outWeight = weights[biases + hidden + unit];
    const preGradient = alpha * outWeight * g - 2 * outWeight * projected * a * g;
    const inputWeight = outWeight * g;
    gradient[biases + hidden + unit] += alpha * a + g * projected;
    gradient[biases + unit] += preGradient;
    for (let input = 0; input < inputs; input++) gradient[row + input] += preGradient * x[xOffset + input] + inputWeight * v[vOffset + input];
  }
}

/**
 * Adds ∂/∂weights of α r(x) alone to `gradient` (`addSurrogateWeightProduct` with v = 0, without its
 * projection W1 v and its v terms, which are zero there: half the work for a regression on r's value),
 * from the activations `surrogateValue` left at this x:
 *   ∂/∂w2_j = α a_j,   ∂/∂b2 = α,   ∂/∂b1_j = α w2_j g_j,   ∂/∂W1_jk = α w2_j g_j x_k.
 */
export function addSurrogateValueProduct(
  weights: Float64Array, { inputs, hidden }: SurrogateShape, x: ArrayLike<number>, xOffset: number, activations: Float64Array,
  alpha: number, gradient: Float64Array,
): void {
  const biases = hidden * inputs;
  gradient[biases + 2 * hidden] += alpha;
  for (let unit = 0; unit < hidden; unit++) {
    const row = unit * inputs;
    const a = activations[unit];
    const preGradient = alpha * weights[biases + hidden + unit] * (1 - a * a);
    gradient[biases + hidden + unit] += alpha * a;
    gradient[biases + unit] += preGradient;
    for (let input = 0; input < inputs; input++) gradient[row + input] += preGradient * x[xOffset + input];
  }
}
