import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import {
  addSurrogateValueProduct, addSurrogateWeightProduct, initialSurrogateWeights, surrogateInputGradient, surrogateValue, surrogateWeightCount,
  type SurrogateShape,
} from '../../estimators/relax-surrogate.js';
import { addSurrogatePairWeightProduct, surrogatePairInputGradients, surrogatePairValues } from '../../estimators/relax-surrogate-pair.js';

/** Entries that differ (by value: +0 and −0 count as equal), as "index: a vs b". */
function differences(actual: Float64Array, expected: Float64Array): string[] {
  expect(actual.length).toBe(expected.length);
  return Array.from(actual.keys()).filter((index) => actual[index] !== expected[index]).map((index) => `${index}: ${actual[index]} vs ${expected[index]}`);
}

describe('relax: the surrogate network at a pair of points, and the value-only product', () => {
  const shape: SurrogateShape = { inputs: 37, hidden: 7 };
  const weights = initialSurrogateWeights(shape, 0.6, 5);
  const rng = new Rng(29);
  const row = () => Float64Array.from({ length: shape.inputs }, () => 3 * rng.nextNormal());
  const [x, conditional, v, conditionalV] = [row(), row(), row(), row()];

  it('values and input gradients at both points equal the one-point functions\' numbers exactly', () => {
    const [single, singleConditional] = [new Float64Array(shape.hidden), new Float64Array(shape.hidden)];
    const value = surrogateValue(weights, shape, x, 0, single);
    const conditionalValue = surrogateValue(weights, shape, conditional, 0, singleConditional);
    const [gradient, conditionalGradient] = [new Float64Array(shape.inputs), new Float64Array(shape.inputs)];
    surrogateInputGradient(weights, shape, single, gradient, 0);
    surrogateInputGradient(weights, shape, singleConditional, conditionalGradient, 0);

    const [pair, pairConditional, values] = [new Float64Array(shape.hidden), new Float64Array(shape.hidden), new Float64Array(2)];
    surrogatePairValues(weights, shape, x, conditional, pair, pairConditional, values);
    // Stale numbers in the outputs must be overwritten, not added to.
    const [pairGradient, pairConditionalGradient] = [new Float64Array(shape.inputs).fill(9), new Float64Array(shape.inputs).fill(-9)];
    surrogatePairInputGradients(weights, shape, pair, pairConditional, pairGradient, pairConditionalGradient);

    expect([values[0], values[1]]).toEqual([value, conditionalValue]);
    expect(differences(pair, single)).toEqual([]);
    expect(differences(pairConditional, singleConditional)).toEqual([]);
    expect(differences(pairGradient, gradient)).toEqual([]);
    expect(differences(pairConditionalGradient, conditionalGradient)).toEqual([]);
    expect(gradient.some((entry) => entry !== 0)).toBe(true);
  });

  it('the pair weight product equals two one-point products in a row exactly, added to a non-zero gradient', () => {
    const [activations, conditionalActivations] = [new Float64Array(shape.hidden), new Float64Array(shape.hidden)];
    surrogateValue(weights, shape, x, 0, activations);
    surrogateValue(weights, shape, conditional, 0, conditionalActivations);
    const start = Float64Array.from({ length: surrogateWeightCount(shape) }, (_, index) => Math.cos(index));
    const expected = start.slice();
    addSurrogateWeightProduct(weights, shape, x, 0, activations, 0.4, v, 0, expected);
    addSurrogateWeightProduct(weights, shape, conditional, 0, conditionalActivations, -1.7, conditionalV, 0, expected);
    const actual = start.slice();
    addSurrogatePairWeightProduct(
      weights, shape, { x, activations, alpha: 0.4, v }, { x: conditional, activations: conditionalActivations, alpha: -1.7, v: conditionalV }, actual,
    );
    expect(differences(actual, expected)).toEqual([]);
    expect(differences(expected, start).length).toBe(start.length);
  });

  it('the value-only product equals the weight product with v = 0 exactly', () => {
    const activations = new Float64Array(shape.hidden);
    surrogateValue(weights, shape, x, 0, activations);
    const start = Float64Array.from({ length: surrogateWeightCount(shape) }, (_, index) => Math.sin(index));
    const expected = start.slice();
    addSurrogateWeightProduct(weights, shape, x, 0, activations, 0.9, new Float64Array(shape.inputs), 0, expected);
    const actual = start.slice();
    addSurrogateValueProduct(weights, shape, x, 0, activations, 0.9, actual);
    expect(differences(actual, expected)).toEqual([]);
    expect(differences(expected, start).length).toBe(start.length);
  });
});
