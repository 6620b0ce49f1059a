import { describe, expect, it } from 'vitest';
import { createFloat32Adam } from '../../harness/wasm-adam.js';

const settings = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/** Adam as PyTorch's `torch.optim.Adam` documents it, in float64, written here independently of the module. */
function referenceAdam(start: readonly number[], gradients: readonly number[][]): number[] {
  const { learningRate, beta1, beta2, epsilon } = settings;
  const params = [...start];
  const first = start.map(() => 0);
  const second = start.map(() => 0);
  gradients.forEach((gradient, index) => {
    const step = index + 1;
    for (let entry = 0; entry < params.length; entry++) {
      first[entry] = beta1 * first[entry] + (1 - beta1) * gradient[entry];
      second[entry] = beta2 * second[entry] + (1 - beta2) * gradient[entry] ** 2;
      const firstHat = first[entry] / (1 - beta1 ** step);
      const secondHat = second[entry] / (1 - beta2 ** step);
      params[entry] -= (learningRate * firstHat) / (Math.sqrt(secondHat) + epsilon);
    }
  });
  return params;
}

describe('Adam in WebAssembly SIMD over float32 vectors', () => {
  it('follows float64 Adam to float32 precision over 40 steps of varied gradients, on a length that is not a whole number of vectors', () => {
    const length = 7;
    const start = Array.from({ length }, (_, entry) => (entry - 3) * 0.37);
    // Gradients of every sign and of scales 1e-3 to 10, the same draw for both sides (a fixed LCG).
    let state = 12345;
    const uniform = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const gradients = Array.from({ length: 40 }, () => Array.from({ length }, (_, entry) => (2 * uniform() - 1) * 10 ** (entry % 5 - 3)));
    const adam = createFloat32Adam(length, settings);
    adam.params.set(start);
    gradients.forEach((gradient, index) => {
      adam.gradient.set(gradient);
      expect(adam.update(index + 1)).toBe(true);
    });
    const expected = referenceAdam(start, gradients);
    // 40 steps of at most lr = 0.01 each: float32 rounding of values of order 1 is about 1e-7 a step.
    for (let entry = 0; entry < length; entry++) expect(Math.abs(adam.params[entry] - expected[entry])).toBeLessThan(1e-5);
    expect(adam.params).toHaveLength(length);
  });

  it('under a constant gradient moves every parameter by lr · g / (|g| + ε) per step', () => {
    const gradient = [0.5, -2, 1e-3, 0, 7];
    const adam = createFloat32Adam(gradient.length, settings);
    adam.params.set([1, 2, 3, 4, 5]);
    for (let step = 1; step <= 25; step++) {
      adam.gradient.set(gradient);
      adam.update(step);
    }
    // Each float32 step rounds a parameter below 8 by at most 2^-21 (half an ulp, and the step's own rounding): 25 of them.
    gradient.forEach((g, entry) => expect(Math.abs(adam.params[entry] - (entry + 1 - (25 * 0.01 * g) / (Math.abs(g) + 1e-8)))).toBeLessThan(25 * 2 ** -21));
  });

  it('reports a NaN or ±Inf anywhere in the gradient (the fused finiteness check), and a finite gradient as finite', () => {
    const length = 9;
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      for (const at of [0, 4, length - 1]) {
        const adam = createFloat32Adam(length, settings);
        const gradient = new Float32Array(length).fill(0.25);
        gradient[at] = bad;
        adam.gradient.set(gradient);
        expect(adam.update(1), `${bad} at ${at}`).toBe(false);
      }
    }
    const adam = createFloat32Adam(length, settings);
    adam.gradient.fill(3e38);
    expect(adam.update(1)).toBe(true);
  });
});
