import { describe, expect, it } from 'vitest';
import { createOptimizer } from '../../harness/optimizer.js';

describe('createOptimizer', () => {
  it('adam under a constant gradient moves every parameter by lr · g / (|g| + ε) per step (the bias corrections cancel exactly)', () => {
    // With g constant, m_t = g(1 − β1^t) and v_t = g²(1 − β2^t): the corrected moments are g and g²,
    // so each step is lr · g / (|g| + ε) whatever t is — a closed form independent of the update's code.
    const gradient = Float64Array.from([0.5, -2, 1e-3, 0, 7]);
    const params = Float64Array.from([1, 2, 3, 4, 5]);
    const start = Float64Array.from(params);
    const learningRate = 0.01;
    const optimizer = createOptimizer('adam', learningRate, params.length);
    const steps = 25;
    for (let step = 1; step <= steps; step++) optimizer.update(params, gradient, step);
    for (let index = 0; index < params.length; index++) {
      const g = gradient[index];
      const expected = start[index] - steps * (learningRate * g) / (Math.abs(g) + 1e-8);
      expect(params[index]).toBeCloseTo(expected, 10);
    }
  });

  it('adam after +1 then −1 moves as worked out by hand, and a second optimizer starts fresh', () => {
    // Step 1: m = 0.1, v = 0.001, corrected 1 and 1: −0.1. Step 2: m = 0.09 − 0.1 = −0.01,
    // v = 0.000999 + 0.001 = 0.001999, corrections 0.19 and 0.001999: m̂ = −1/19, v̂ = 1, so +0.1/19
    // (ε = 1e-8 shifts each step by about 1e-9, below the 7 decimals checked).
    const first = createOptimizer('adam', 0.1, 1);
    const a = Float64Array.from([0]);
    first.update(a, Float64Array.from([1]), 1);
    expect(a[0]).toBeCloseTo(-0.1, 7);
    first.update(a, Float64Array.from([-1]), 2);
    expect(a[0]).toBeCloseTo(-0.1 + 0.1 / 19, 7);
    const b = Float64Array.from([0]);
    createOptimizer('adam', 0.1, 1).update(b, Float64Array.from([-1]), 1);
    expect(b[0]).toBeCloseTo(0.1, 7);
  });

  it('sgd moves by −lr · g', () => {
    const params = Float64Array.from([1, -1]);
    createOptimizer('sgd', 0.5, 2).update(params, Float64Array.from([2, -4]), 1);
    expect([...params]).toEqual([0, 1]);
  });

  it('sgd-momentum accumulates a velocity v = 0.9 v + g and moves by −lr · v (worked by hand), fresh per optimizer', () => {
    // g = 1, 1, −1: v = 1, 1.9, 0.71; with lr 0.5 the parameter moves −0.5, −0.95, −0.355.
    const optimizer = createOptimizer('sgd-momentum', 0.5, 1);
    const params = Float64Array.from([0]);
    const positions: number[] = [];
    for (const [step, g] of [1, 1, -1].entries()) {
      optimizer.update(params, Float64Array.from([g]), step + 1);
      positions.push(params[0]);
    }
    [-0.5, -1.45, -1.805].forEach((expected, index) => expect(positions[index]).toBeCloseTo(expected, 12));
    const fresh = Float64Array.from([0]);
    createOptimizer('sgd-momentum', 0.5, 1).update(fresh, Float64Array.from([1]), 1);
    expect(fresh[0]).toBeCloseTo(-0.5, 12);
  });
});
