import { describe, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import type { BatchMoments } from '../../core/moments.js';
import { builtInEstimators } from '../../estimators/index.js';
import { withDefaults } from '../../core/parameters.js';
import { isStagedProblem, type StagedProblem } from '../../core/suite.js';
import { teacherStudent } from '../../suites/teacher-student.js';
import { populationGradient, populationLoss, spuriousLocalMinimum, type Teacher } from '../../suites/teacher-student-math.js';
import { sampleEstimator } from '../support/helpers.js';
import { testNormals } from '../support/random-for-tests.js';

const sigmas = 5;
const m = 8;
const n = 5;

function problemWith(overrides: Record<string, number>): { problem: StagedProblem; teacher: Teacher } {
  const problem = teacherStudent.create(withDefaults(teacherStudent.params, { m, n, ...overrides }));
  if (!isStagedProblem(problem)) throw new Error('teacher-student is staged');
  const recorded = problem.recordedParams as Record<string, number[]>;
  return { problem, teacher: { w: Float64Array.from(recorded.teacherW), v: Float64Array.from(recorded.teacherV) } };
}

/** The proxy derivative of each straight-through estimator, written from its definition. */
const proxies: Record<string, (x: number) => number> = {
  'ste-identity': () => 1,
  'ste-relu': (x) => (x > 0 ? 1 : 0),
  'ste-clipped-relu': (x) => (x > 0 && x < 1 ? 1 : 0),
  'ste-hardtanh': (x) => (Math.abs(x) <= 1 ? 1 : 0),
};

interface MonteCarlo {
  readonly mean: Float64Array;
  readonly stdErr: Float64Array;
}

/**
 * E[coarse gradient] of every STE by plain Monte Carlo in float64, written here from the model's
 * definition (its own Gaussian generator, its own seed): for each Z, y − y* and
 * g = [Σ_i z_i v_i (y − y*) μ'(z_iᵀw), (y − y*)σ(Zw)].
 */
function monteCarloCoarseGradients(params: Float64Array, teacher: Teacher, samples: number, seed: number): Record<string, MonteCarlo> {
  const normal = testNormals(seed);
  const ids = Object.keys(proxies);
  const sums = ids.map(() => new Float64Array(n + m));
  const squares = ids.map(() => new Float64Array(n + m));
  const z = new Float64Array(n);
  const perSample = ids.map(() => new Float64Array(n + m));
  for (let sample = 0; sample < samples; sample++) {
    for (const row of perSample) row.fill(0);
    const rows: Array<{ z: Float64Array; studentLogit: number }> = [];
    let residual = 0;
    for (let unit = 0; unit < m; unit++) {
      let studentLogit = 0;
      let teacherLogit = 0;
      for (let input = 0; input < n; input++) {
        z[input] = normal();
        studentLogit += z[input] * params[input];
        teacherLogit += z[input] * teacher.w[input];
      }
      residual += (studentLogit > 0 ? params[n + unit] : 0) - (teacherLogit > 0 ? teacher.v[unit] : 0);
      rows.push({ z: Float64Array.from(z), studentLogit });
    }
    ids.forEach((id, index) => {
      const row = perSample[index];
      rows.forEach(({ z: zRow, studentLogit }, unit) => {
        const scale = params[n + unit] * residual * proxies[id](studentLogit);
        for (let input = 0; input < n; input++) row[input] += zRow[input] * scale;
        row[n + unit] = studentLogit > 0 ? residual : 0;
      });
      for (let entry = 0; entry < n + m; entry++) {
        sums[index][entry] += row[entry];
        squares[index][entry] += row[entry] * row[entry];
      }
    });
  }
  return Object.fromEntries(ids.map((id, index) => {
    const mean = sums[index].map((total) => total / samples);
    const stdErr = squares[index].map((total, entry) => Math.sqrt((total / samples - mean[entry] ** 2) / samples));
    return [id, { mean, stdErr }];
  }));
}

/** Entries where the suite's mean and an expectation differ by more than `sigmas` combined standard errors. */
function entriesOutside(moments: BatchMoments, expected: ArrayLike<number>, expectedStdErr: ArrayLike<number> | null, entries: number[]): string[] {
  return entries.flatMap((entry) => {
    const ownStdErr = Math.sqrt(moments.sumOfSquaredDeviations[entry] / (moments.count - 1) / moments.count);
    const combined = Math.hypot(ownStdErr, expectedStdErr ? expectedStdErr[entry] : 0);
    const distance = Math.abs(moments.mean[entry] - expected[entry]);
    return distance > sigmas * combined + 1e-9
      ? [`entry ${entry}: ${moments.mean[entry].toPrecision(4)} vs ${expected[entry].toPrecision(4)} (${(distance / combined).toFixed(1)} se)`]
      : [];
  });
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);

describe('teacher-student closed forms', () => {
  it('the population gradient matches central differences of the population loss', () => {
    for (const startSeed of [2, 3, 4]) {
      const { problem, teacher } = problemWith({ startSeed });
      const point = problem.initialParameters;
      const gradient = populationGradient(point, teacher);
      for (let entry = 0; entry < n + m; entry++) {
        const step = 1e-6;
        const plus = Float64Array.from(point);
        const minus = Float64Array.from(point);
        plus[entry] += step;
        minus[entry] -= step;
        const difference = (populationLoss(plus, teacher) - populationLoss(minus, teacher)) / (2 * step);
        expect(Math.abs(difference - gradient[entry])).toBeLessThan(1e-6 * (1 + Math.abs(gradient[entry])));
      }
    }
  });

  it('the population loss matches a Monte Carlo average of ½(y − y*)²', () => {
    const { problem, teacher } = problemWith({});
    const point = problem.initialParameters;
    const normal = testNormals(99);
    const samples = 200_000;
    let total = 0;
    let squares = 0;
    for (let sample = 0; sample < samples; sample++) {
      let residual = 0;
      for (let unit = 0; unit < m; unit++) {
        let student = 0;
        let teacherLogit = 0;
        for (let input = 0; input < n; input++) {
          const z = normal();
          student += z * point[input];
          teacherLogit += z * teacher.w[input];
        }
        residual += (student > 0 ? point[n + unit] : 0) - (teacherLogit > 0 ? teacher.v[unit] : 0);
      }
      const loss = 0.5 * residual * residual;
      total += loss;
      squares += loss * loss;
    }
    const mean = total / samples;
    const stdErr = Math.sqrt((squares / samples - mean * mean) / samples);
    expect(Math.abs(mean - populationLoss(point, teacher))).toBeLessThan(sigmas * stdErr);
  });

  it('starts at the teacher moved by startNear of its norm, and records the teacher and the start', () => {
    const { problem, teacher } = problemWith({ startNear: 0.05 });
    const start = problem.initialParameters;
    const distance = Math.hypot(...start.subarray(0, n).map((value, index) => value - teacher.w[index]));
    expect(distance / Math.hypot(...teacher.w)).toBeCloseTo(0.05, 10);
    expect(Object.keys(problem.recordedParams!).sort()).toEqual(['startV', 'startW', 'teacherV', 'teacherW']);
    // At the spurious local minimum ∂f/∂v vanishes and θ = π.
    // Starting at the anchor with no noise: the problem's start is the local minimum itself.
    const atLocalMinimum = problemWith({ anchor: 1 }).problem;
    const local = atLocalMinimum.initialParameters;
    expect(Array.from(local)).toEqual(Array.from(spuriousLocalMinimum(teacher)));
    expect(Math.max(...populationGradient(local, teacher).map(Math.abs))).toBeLessThan(1e-12);
  });
});

describeEachBackend('teacher-student coarse gradients', (backend) => {
  const { problem, teacher } = problemWith({});
  const samples = 20_000;
  // Twenty times the suite's samples, so the reference's own error is small beside the suite's.
  const reference = monteCarloCoarseGradients(problem.initialParameters, teacher, 400_000, 20190318);

  it.each(Object.keys(proxies))('%s: mean coarse gradient matches an independent Monte Carlo expectation; ∂/∂v is unbiased', async (id) => {
    const moments = await sampleEstimator(backend(), builtInEstimators.get(id)!, problem, samples, 5);
    expect(entriesOutside(moments, reference[id].mean, reference[id].stdErr, range(0, n + m))).toEqual([]);
    // v sits above the hard node: its coarse gradient needs no proxy and must match ∂f/∂v.
    expect(entriesOutside(moments, populationGradient(problem.initialParameters, teacher), null, range(n, n + m))).toEqual([]);
  });

  it('ste-identity and ste-relu match closed forms of their expected coarse gradients (derived for the test)', async () => {
    // With E[z 1{zᵀa > 0}] = a/√(2π) and E[z 1{zᵀa > 0, zᵀb > 0}] = (a + b)/(2√(2π)) for unit a, b:
    // E[g_identity,w] = (|v|²ŵ − (vᵀv*)ŵ*)/√(2π); E[g_relu,w] = ((S(S − S*) + |v|²)ŵ − (vᵀv*)ŵ*)/(2√(2π)), S = 1ᵀv, S* = 1ᵀv*.
    const start = problem.initialParameters;
    const w = start.subarray(0, n);
    const v = start.subarray(n);
    const dot = (left: ArrayLike<number>, right: ArrayLike<number>) => Array.from(left).reduce((total, value, index) => total + value * right[index], 0);
    const sum = (values: ArrayLike<number>) => Array.from(values).reduce((total, value) => total + value, 0);
    const weightNorm = Math.sqrt(dot(w, w));
    const teacherNorm = Math.sqrt(dot(teacher.w, teacher.w));
    const expectedWith = (radial: number, scale: number) =>
      Float64Array.from({ length: n }, (_, index) => (radial * (w[index] / weightNorm) - dot(v, teacher.v) * (teacher.w[index] / teacherNorm)) / scale);
    const identity = await sampleEstimator(backend(), builtInEstimators.get('ste-identity')!, problem, samples, 7);
    expect(entriesOutside(identity, expectedWith(dot(v, v), Math.sqrt(2 * Math.PI)), null, range(0, n))).toEqual([]);
    const relu = await sampleEstimator(backend(), builtInEstimators.get('ste-relu')!, problem, samples, 7);
    expect(entriesOutside(relu, expectedWith(sum(v) * (sum(v) - sum(teacher.v)) + dot(v, v), 2 * Math.sqrt(2 * Math.PI)), null, range(0, n))).toEqual([]);
  });

  it('at the spurious local minimum the identity STE\'s mean does not vanish, the ReLU STE\'s does (closed forms derived for the test)', async () => {
    // Starting at the anchor with no noise: the problem's start is the local minimum itself.
    const atLocalMinimum = problemWith({ anchor: 1 }).problem;
    const local = atLocalMinimum.initialParameters;
    expect(Array.from(local)).toEqual(Array.from(spuriousLocalMinimum(teacher)));
    const teacherSum = teacher.v.reduce((total, value) => total + value, 0);
    // E[g_identity,w] = (|v|²ŵ − (vᵀv*)ŵ*)/√(2π) = 2(m − 1)(1ᵀv*)²/((m + 1)²√(2π)) · ŵ here; E[g_relu,w] = 0.
    const weightNorm = Math.hypot(...local.subarray(0, n));
    const identityScale = (2 * (m - 1) * teacherSum ** 2) / ((m + 1) ** 2 * Math.sqrt(2 * Math.PI) * weightNorm);
    const identityExpected = Float64Array.from({ length: n + m }, (_, entry) => (entry < n ? identityScale * local[entry] : 0));
    const identity = await sampleEstimator(backend(), builtInEstimators.get('ste-identity')!, atLocalMinimum, samples, 6);
    expect(entriesOutside(identity, identityExpected, null, range(0, n + m))).toEqual([]);
    expect(entriesOutside(identity, new Float64Array(n + m), null, range(0, n)).length).toBeGreaterThan(0);
    const relu = await sampleEstimator(backend(), builtInEstimators.get('ste-relu')!, atLocalMinimum, samples, 6);
    expect(entriesOutside(relu, new Float64Array(n + m), null, range(0, n + m))).toEqual([]);
  });
});
