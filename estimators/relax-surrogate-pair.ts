import type { SurrogateShape } from './relax-surrogate.js';

/**
 * RELAX's surrogate network (relax-surrogate.ts) at the two points of one row, the logistic sample z and
 * its conditional z̃, in one sweep over the hidden weights W1 per quantity rather than one per point: RELAX
 * needs r, ∇r and the weight product at both points of every row, and the sweep's loads of W1 (H × D
 * numbers) dominate these loops. Each number is computed by the same operations in the same order as
 * `surrogateValue`, `surrogateInputGradient` and two `addSurrogateWeightProduct` calls in a row, so the
 * results are identical to theirs (test/estimators/relax-surrogate-pair.test.ts).
 */

/**
 * r at the rows x and x̃ (D numbers each, at offset 0): writes the hidden activations into `activations`
 * and `conditionalActivations` (H numbers each) and r(x), r(x̃) into values[0], values[1].
 */
export function surrogatePairValues(
  weights: Float64Array, { inputs, hidden }: SurrogateShape, x: ArrayLike<number>, conditional: ArrayLike<number>,
  activations: Float64Array, conditionalActivations: Float64Array, values: Float64Array,
): void {
  const biases = hidden * inputs;
  let value = weights[biases + 2 * hidden];
  let conditionalValue = value;
  for (let unit = 0; unit < hidden; unit++) {
    let pre = weights[biases + unit];
    let conditionalPre = pre;
    const row = unit * inputs;
    for (let input = 0; input < inputs; input++) {
      const weight = weights[row + input];
      pre += weight * x[input];
      conditionalPre += weight * conditional[input];
    }
    activations[unit] = Math.tanh(pre);
    conditionalActivations[unit] = Math.tanh(conditionalPre);
    const outWeight = weights[biases + hidden + unit];
    value += outWeight * activations[unit];
    conditionalValue += outWeight * conditionalActivations[unit];
  }
  values[0] = value;
  values[1] = conditionalValue;
}

/** Writes ∇ₓr at both points (D numbers each) to `out` and `conditionalOut`, from the activations `surrogatePairValues` left. */
export function surrogatePairInputGradients(
  weights: Float64Array, { inputs, hidden }: SurrogateShape, activations: Float64Array, conditionalActivations: Float64Array,
  out: Float64Array, conditionalOut: Float64Array,
): void {
  const biases = hidden * inputs;
  out.fill(0, 0, inputs);
  conditionalOut.fill(0, 0, inputs);
  for (let unit = 0; unit < hidden; unit++) {
    const outWeight = weights[biases + hidden + unit];
    const back = outWeight * (1 - activations[unit] * activations[unit]);
    const conditionalBack = outWeight * (1 - conditionalActivations[unit] * conditionalActivations[unit]);
    const row = unit * inputs;
    for (let input = 0; input < inputs; input++) {
      const weight = weights[row + input];
      out[input] += weight * back;
      conditionalOut[input] += weight * conditionalBack;
    }
  }
}

/** One point's inputs to the weight product: the row x, its activations, α and v (see `addSurrogateWeightProduct`). */
export interface SurrogateProductPoint {
  readonly x: ArrayLike<number>;
  readonly activations: Float64Array;
  readonly alpha: number;
  readonly v: ArrayLike<number>;
}

/**
 * Adds ∂/∂weights of α r(x) + vᵀ∇ₓr(x) at the first point, then the same at the second, to `gradient`:
 * what `addSurrogateWeightProduct` at `first` and then at `second` adds, each sum taken in that order.
 */
export function addSurrogatePairWeightProduct(
  weights: Float64Array, { inputs, hidden }: SurrogateShape, first: SurrogateProductPoint, second: SurrogateProductPoint, gradient: Float64Array,
): void {
  const biases = hidden * inputs;
  const { x, v } = first;
  const { x: secondX, v: secondV } = second;
  gradient[biases + 2 * hidden] = gradient[biases + 2 * hidden] + first.alpha + second.alpha;
  for (let unit = 0; unit < hidden; unit++) {
    const row = unit * inputs;
    let projected = 0;
    let secondProjected = 0;
    for (let input = 0; input < inputs; input++) {
      const weight = weights[row + input];
      projected += weight * v[input];
      secondProjected += weight * secondV[input];
    }
    const outWeight = weights[biases + hidden + unit];
    const a = first.activations[unit];
    const g = 1 - a * a;
    const secondA = second.activations[unit];
    const secondG = 1 - secondA * secondA;
    const preGradient = first.alpha * outWeight * g - 2 * outWeight * projected * a * g;
    const secondPreGradient = second.alpha * outWeight * secondG - 2 * outWeight * secondProjected * secondA * secondG;
    const inputWeight = outWeight * g;
    const secondInputWeight = outWeight * secondG;
    gradient[biases + hidden + unit] = gradient[biases + hidden + unit] + (first.alpha * a + g * projected) + (second.alpha * secondA + secondG * secondProjected);
    gradient[biases + unit] = gradient[biases + unit] + preGradient + secondPreGradient;
    for (let input = 0; input < inputs; input++) {
      gradient[row + input] = gradient[row + input] + (preGradient * x[input] + inputWeight * v[input])
        + (secondPreGradient * secondX[input] + secondInputWeight * secondV[input]);
    }
  }
}
