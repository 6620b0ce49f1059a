import { describe, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { builtInEstimators } from '../../estimators/index.js';
import type { Problem } from '../../core/suite.js';
import { drawQuadraticObjective, enumerateQuadratic } from '../../suites/bernoulli-quadratic.js';
import { quadraticProblem, sampleEstimator, unitsOutsideBand } from '../support/helpers.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));


/** A and c as the problem records them: A row-major. */
function recorded(problem: Problem): { matrix: number[]; linear: number[] } {
  return { matrix: problem.recordedParams!.A as number[], linear: problem.recordedParams!.c as number[] };
}

/** f(b) = bᵀAb + cᵀb written out directly. */
function objectiveAt(matrix: number[], linear: number[], b: ArrayLike<number>): number {
  const dim = linear.length;
  let value = 0;
  for (let i = 0; i < dim; i++) {
    value += linear[i] * b[i];
    for (let j = 0; j < dim; j++) value += matrix[i * dim + j] * b[i] * b[j];
  }
  return value;
}

/**
 * Brute force, written independently of the suite's walk: every state with its probability, the loss
 * E[f] and the score-function form of the gradient E[f(b)(bᵢ − pᵢ)].
 */
function bruteForce(matrix: number[], linear: number[], logits: ArrayLike<number>): { loss: number; gradient: number[] } {
  const dim = linear.length;
  const p = Array.from(logits, sigmoid);
  let loss = 0;
  const gradient = new Array<number>(dim).fill(0);
  for (let state = 0; state < 1 << dim; state++) {
    const b = Array.from({ length: dim }, (_, unit) => (state >> unit) & 1);
    const probability = b.reduce((product, bit, unit) => product * (bit ? p[unit] : 1 - p[unit]), 1);
    const value = objectiveAt(matrix, linear, b);
    loss += probability * value;
    for (let unit = 0; unit < dim; unit++) gradient[unit] += probability * value * (b[unit] - p[unit]);
  }
  return { loss, gradient };
}

/**
 * Closed form for independent units (E[bᵢbⱼ] = pᵢpⱼ for i ≠ j, E[bᵢ²] = pᵢ):
 * dE[f]/dθₖ = σ'(θₖ) (cₖ + Aₖₖ + 2 Σ_{j≠k} Aₖⱼ pⱼ).
 */
function closedFormGradient(matrix: number[], linear: number[], logits: ArrayLike<number>): number[] {
  const dim = linear.length;
  const p = Array.from(logits, sigmoid);
  return p.map((pk, k) => {
    let coupling = 0;
    for (let j = 0; j < dim; j++) if (j !== k) coupling += matrix[k * dim + j] * p[j];
    return pk * (1 - pk) * (linear[k] + matrix[k * dim + k] + 2 * coupling);
  });
}

const maxAbsDifference = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (value, index) => Math.abs(value - b[index])));

describe('bernoulli-quadratic: the objective and its exact answers', () => {
  it('draws a symmetric A and c from objectiveSeed, the same for the same seed, and records them', () => {
    const problem = quadraticProblem();
    const { matrix, linear } = recorded(problem);
    expect(problem.dim).toBe(12);
    expect(matrix).toHaveLength(144);
    expect(linear).toHaveLength(12);
    for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) expect(matrix[i * 12 + j]).toBe(matrix[j * 12 + i]);
    expect(recorded(quadraticProblem()).matrix).toEqual(matrix);
    expect(recorded(quadraticProblem({ objectiveSeed: 2 })).matrix).not.toEqual(matrix);
    // N(0, 1) entries: 78 distinct entries of A and 12 of c; their mean and spread are loose checks.
    const entries = [...linear, ...matrix.filter((_, index) => index % 12 >= Math.floor(index / 12))];
    const mean = entries.reduce((sum, value) => sum + value, 0) / entries.length;
    const variance = entries.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (entries.length - 1);
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(entries.length));
    expect(variance).toBeGreaterThan(0.5);
    expect(variance).toBeLessThan(1.6);
  });

  it('enumerates the same loss and gradient as brute force and as the closed form', () => {
    const logits = Float64Array.from([0.3, -1.2, 2.5, 0, -0.4, 1.1, -3]);
    const objective = drawQuadraticObjective(7, 5);
    const matrix = Array.from(objective.matrix);
    const linear = Array.from(objective.linear);
    const walk = enumerateQuadratic(objective, logits);
    const brute = bruteForce(matrix, linear, logits);
    expect(Math.abs(walk.loss - brute.loss)).toBeLessThan(1e-12);
    expect(maxAbsDifference(walk.gradient, brute.gradient)).toBeLessThan(1e-12);
    expect(maxAbsDifference(walk.gradient, closedFormGradient(matrix, linear, logits))).toBeLessThan(1e-12);
  });

  it('exact gradient matches central finite differences of the exact loss (D = 12 and D = 20)', () => {
    for (const dim of [12, 20]) {
      const problem = quadraticProblem({ dim });
      const logits = problem.initialLogits;
      const gradient = problem.exactGradient(logits);
      const step = 1e-5;
      const differences = Array.from(logits, (_, unit) => {
        const plus = Float64Array.from(logits);
        const minus = Float64Array.from(logits);
        plus[unit] += step;
        minus[unit] -= step;
        return (problem.exactLoss(plus) - problem.exactLoss(minus)) / (2 * step);
      });
      expect(maxAbsDifference(gradient, differences)).toBeLessThan(1e-6);
      const { matrix, linear } = recorded(problem);
      expect(maxAbsDifference(gradient, closedFormGradient(matrix, linear, logits))).toBeLessThan(1e-9);
    }
  });

  it('its kernel functions compute f(h) = hᵀAh + cᵀh and dL/dh = 2Ah + c, also for continuous h', () => {
    const problem = quadraticProblem({ dim: 9, objectiveSeed: 3 });
    const { matrix, linear } = recorded(problem);
    const rows = [
      [1, 0, 1, 1, 0, 0, 1, 0, 1],
      [0.2, 0.9, 0.5, 0.1, 0.7, 0.3, 0.6, 0.4, 0.8],
    ];
    for (let row = 0; row < rows.length; row++) {
      expect(problem.objective.value(rows, row)).toBeCloseTo(objectiveAt(matrix, linear, rows[row]), 10);
      for (let element = 0; element < 9; element++) {
        let expected = linear[element];
        for (let j = 0; j < 9; j++) expected += 2 * matrix[element * 9 + j] * rows[row][j];
        expect(problem.objective.gradient(rows, row, element)).toBeCloseTo(expected, 10);
      }
    }
  });
});

const unbiasedIds = [...builtInEstimators.values()].filter((estimator) => estimator.claimsUnbiased).map((estimator) => estimator.id);

describeEachBackend('bernoulli-quadratic', (backend) => {
  it.each(unbiasedIds)('%s: mean within 5 standard errors of the enumerated gradient', async (estimatorId) => {
    const problem = quadraticProblem();
    const moments = await sampleEstimator(backend(), builtInEstimators.get(estimatorId)!, problem, 40_000, 19);
    expect(unitsOutsideBand(moments, problem.exactGradient(problem.initialLogits), 5)).toEqual([]);
  });

  it('ste-identity copies dL/dh: its mean is E[2Ab + c] = 2Ap + c (the gradient kernel on the device)', async () => {
    const problem = quadraticProblem();
    const { matrix, linear } = recorded(problem);
    const p = Array.from(problem.initialLogits, sigmoid);
    const expected = linear.map((ck, k) => ck + 2 * p.reduce((sum, pj, j) => sum + matrix[k * problem.dim + j] * pj, 0));
    const moments = await sampleEstimator(backend(), builtInEstimators.get('ste-identity')!, problem, 40_000, 23);
    expect(unitsOutsideBand(moments, expected, 5)).toEqual([]);
  });

  it('the straight-through mean is measurably biased here (a check that the test can fail)', async () => {
    const problem = quadraticProblem();
    const moments = await sampleEstimator(backend(), builtInEstimators.get('ste-sigmoid')!, problem, 40_000, 29);
    expect(unitsOutsideBand(moments, problem.exactGradient(problem.initialLogits), 5).length).toBeGreaterThan(3);
  });
});
