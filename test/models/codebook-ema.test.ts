import { describe, expect, it } from 'vitest';
import {
  addAssignments, codebookMovingAverageUpdate, emaSmoothing, emptyAssignments, updateMovingAverages, writeCodebook,
} from '../../models/codebook-ema.js';
import type { VectorQuantizerPass } from '../../models/vector-quantizer.js';

/** One training step's latent vectors (d = 2) and the code each chose, K = 3. */
interface StepAssignments {
  readonly latents: number[][];
  readonly nearest: number[];
}

const steps: StepAssignments[] = [
  // Code 0 takes two vectors, code 2 one, code 1 none.
  { latents: [[1, 2], [3, 4], [-1, 0]], nearest: [0, 0, 2] },
  // Code 0 one, code 1 one, code 2 none.
  { latents: [[0, 2], [2, 2]], nearest: [1, 0] },
];

/**
 * The codebook after the given steps, computed directly: with decay γ, step s of t enters the
 * debiased averages with weight w_s = (1 − γ) γ^(t − s) / (1 − γ^t) (the weights sum to 1), so
 * N̂_k = Σ_s w_s n_k^s and m̂_k = Σ_s w_s Σ_{z → k} z; then Laplace smoothing
 * Ñ_k = (N̂_k + ε) / (n + K ε) · n with n = Σ_k N̂_k, and e_k = m̂_k / Ñ_k.
 */
function directCodebook(history: StepAssignments[], decay: number, codes: number, width: number): number[][] {
  const t = history.length;
  const counts = new Array<number>(codes).fill(0);
  const sums = Array.from({ length: codes }, () => new Array<number>(width).fill(0));
  history.forEach((step, index) => {
    const weight = ((1 - decay) * decay ** (t - 1 - index)) / (1 - decay ** t);
    step.nearest.forEach((code, vector) => {
      counts[code] += weight;
      step.latents[vector].forEach((value, dimension) => (sums[code][dimension] += weight * value));
    });
  });
  const n = counts.reduce((total, count) => total + count, 0);
  return sums.map((sum, code) => sum.map((value) => value / (((counts[code] + emaSmoothing) / (n + codes * emaSmoothing)) * n)));
}

function applySteps(history: StepAssignments[], decay: number, codebook: Float64Array): void {
  const averages = emptyAssignments(3, 2);
  for (const step of history) {
    const assignments = emptyAssignments(3, 2);
    addAssignments(assignments, step.nearest, step.latents.flat(), step.nearest.length, 2);
    updateMovingAverages(averages, assignments, decay);
  }
  writeCodebook(averages, decay, codebook);
}

function rows(codebook: Float64Array, width: number): number[][] {
  return Array.from({ length: codebook.length / width }, (_, code) => Array.from(codebook.subarray(code * width, (code + 1) * width)));
}

describe('the moving-average codebook update', () => {
  it('counts and sums the vectors each code was chosen by', () => {
    const assignments = emptyAssignments(3, 2);
    addAssignments(assignments, steps[0].nearest, steps[0].latents.flat(), 3, 2);
    expect(Array.from(assignments.counts)).toEqual([2, 0, 1]);
    expect(Array.from(assignments.sums)).toEqual([4, 6, 0, 0, -1, 0]);
  });

  it('after one step (debiased): each used code is the mean of its vectors to within the smoothing, an unused one the origin', () => {
    const codebook = Float64Array.from([9, 9, 9, 9, 9, 9]);
    applySteps(steps.slice(0, 1), 0.99, codebook);
    // Hand-worked: n = 3, Ñ_0 = (2 + ε)/(3 + 3ε)·3, Ñ_2 = (1 + ε)/(3 + 3ε)·3.
    const smoothedTwo = ((2 + 1e-5) / (3 + 3e-5)) * 3;
    const smoothedOne = ((1 + 1e-5) / (3 + 3e-5)) * 3;
    const expected = [4 / smoothedTwo, 6 / smoothedTwo, 0, 0, -1 / smoothedOne, 0];
    Array.from(codebook).forEach((value, index) => expect(value).toBeCloseTo(expected[index], 12));
    // The smoothing is visible: the mean of code 0 is (2, 3), e_0 is slightly off it.
    expect(codebook[0]).not.toBe(2);
    expect(codebook[0]).toBeCloseTo(2, 4);
  });

  it.each([0.5, 0.9, 0.99])('after two steps with decay %s: the weighted means computed directly', (decay) => {
    const codebook = new Float64Array(6);
    applySteps(steps, decay, codebook);
    const expected = directCodebook(steps, decay, 3, 2);
    rows(codebook, 2).forEach((row, code) => row.forEach((value, dimension) => expect(value).toBeCloseTo(expected[code][dimension], 12)));
  });

  it('decay 0 is one k-means step: each code the mean of the last step\'s vectors (to within the smoothing)', () => {
    const codebook = new Float64Array(6);
    applySteps(steps, 0, codebook);
    expect(rows(codebook, 2).map((row) => row.map((value) => Number(value.toFixed(4))))).toEqual([[2, 2], [0, 2], [0, 0]]);
  });

  it('before any update, or with no vector assigned at all, the codebook is left as it is', () => {
    const codebook = Float64Array.from([1, 2, 3, 4, 5, 6]);
    writeCodebook(emptyAssignments(3, 2), 0.99, codebook);
    const averages = emptyAssignments(3, 2);
    updateMovingAverages(averages, emptyAssignments(3, 2), 0.99);
    writeCodebook(averages, 0.99, codebook);
    expect(Array.from(codebook)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('as a problem\'s own update: records the step\'s passes only, writes only the codebook, and starts each run afresh', () => {
    const pass = (step: StepAssignments): VectorQuantizerPass => ({
      count: step.nearest.length, nearest: Int32Array.from(step.nearest), latents: Float64Array.from(step.latents.flat()),
      distances: new Float64Array(0), exponentials: new Float64Array(0), perVector: 0, codebook: new Float64Array(6),
    });
    const update = codebookMovingAverageUpdate({ codes: 3, width: 2 }, 1, 0.5);
    const params = new Float64Array(8).fill(7);
    const expected = directCodebook(steps, 0.5, 3, 2).flat();
    for (let run = 0; run < 2; run++) {
      update.startRun();
      // A draw outside a step (a scoring draw) is forgotten when the step starts.
      update.record(pass({ latents: [[100, 100]], nearest: [1] }));
      for (const step of steps) {
        update.startStep();
        update.record(pass(step));
        update.finishStep(params);
      }
      expect(params[0]).toBe(7);
      expect(params[7]).toBe(7);
      Array.from(params.subarray(1, 7)).forEach((value, index) => expect(value).toBeCloseTo(expected[index], 12));
    }
  });
});
