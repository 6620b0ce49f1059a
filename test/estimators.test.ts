import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComputeBackend } from '../backends/backend.js';
import { builtInBackends } from '../backends/index.js';
import { builtInEstimators } from '../estimators/index.js';
import { sampleEstimator, toyProblem, unitsOutsideBand } from './helpers.js';

const samples = 40_000;
/** With the seed fixed the test is deterministic; 5 se keeps the chance of a false alarm per run under 1e-4. */
const sigmas = 5;
const target = 0.45;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Simpson's rule on [low, high] with `intervals` (even) intervals. */
function integrate(f: (x: number) => number, low: number, high: number, intervals = 20_000): number {
  const step = (high - low) / intervals;
  let total = f(low) + f(high);
  for (let index = 1; index < intervals; index++) total += (index % 2 === 0 ? 2 : 4) * f(low + index * step);
  return (total * step) / 3;
}

const normalDensity = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
const normalCdf = (z: number) => integrate(normalDensity, -12, z);
/** Density of the logistic variable log(u / (1 - u)), u ~ U(0, 1). */
const logisticDensity = (l: number) => Math.exp(-Math.abs(l)) / (1 + Math.exp(-Math.abs(l))) ** 2;

/**
 * E[estimate] per unit, derived by hand from each estimator's definition (not from its code):
 * the straight-through estimators' expectations in closed form, the relaxations' by quadrature
 * over their noise, and the exact gradient for the unbiased estimator.
 */
const expectedMean: Record<string, (theta: number, params: Record<string, number>) => number> = {
  'ste-identity': (theta) => 2 * (sigmoid(theta) - target),
  'ste-sigmoid': (theta) => 2 * (sigmoid(theta) - target) * sigmoid(theta) * (1 - sigmoid(theta)),
  'bengio-unbiased': (theta) => sigmoid(theta) * (1 - sigmoid(theta)) * (1 - 2 * target),
  'additive-noise': (theta, { sigma }) => {
    const low = (-1 - theta) / sigma;
    const high = (1 - theta) / sigma;
    return ((theta + 1) / 2 - target) * (normalCdf(high) - normalCdf(low)) + (sigma / 2) * (normalDensity(low) - normalDensity(high));
  },
  'gumbel-softmax': (theta, { tau }) =>
    integrate((l) => {
      const y = sigmoid((theta + l) / tau);
      return ((2 * (y - target) * y * (1 - y)) / tau) * logisticDensity(l);
    }, -40, 40),
};

describe.each([...builtInBackends.keys()])('estimator means on the %s backend', (backendId) => {
  let backend: ComputeBackend;
  beforeAll(async () => {
    backend = await builtInBackends.get(backendId)!();
  });
  afterAll(() => backend?.dispose());

  it('runs on a real device path (not the silent CPU fallback of gpu.js)', () => {
    if (process.env.ESTIBENCH_ALLOW_GPU_FALLBACK === '1') return;
    expect(backend.mode, `fallbacks: ${backend.fallbacks.join('; ')}`).not.toBe('gpu:cpu-fallback');
  });

  it.each([...builtInEstimators.keys()])('%s matches its expected mean within 5 standard errors', async (estimatorId) => {
    const estimator = builtInEstimators.get(estimatorId)!;
    const problem = toyProblem({ t: target });
    const params = Object.fromEntries(Object.entries(estimator.params).map(([name, spec]) => [name, spec.default]));
    const moments = await sampleEstimator(backend, estimator, problem, samples);
    const expected = Array.from(problem.initialLogits, (theta) => expectedMean[estimatorId](theta, params));
    expect(unitsOutsideBand(moments, expected, sigmas)).toEqual([]);
    if (estimator.claimsUnbiased) {
      expect(unitsOutsideBand(moments, problem.exactGradient(problem.initialLogits), sigmas)).toEqual([]);
    }
  });

  it.each([
    ['gumbel-softmax', { tau: 0.7 }],
    ['gumbel-softmax', { tau: 1 / 3 }],
    ['additive-noise', { sigma: 0.5 }],
  ])('%s with %j matches its expected mean at non-default parameters', async (estimatorId, params) => {
    const estimator = builtInEstimators.get(estimatorId)!;
    const problem = toyProblem({ t: target });
    const moments = await sampleEstimator(backend, estimator, problem, samples, 3, params);
    const expected = Array.from(problem.initialLogits, (theta) => expectedMean[estimatorId](theta, params));
    expect(unitsOutsideBand(moments, expected, sigmas)).toEqual([]);
  });

  it('detects a biased estimator: ste-identity is far from the exact gradient', async () => {
    const problem = toyProblem({ t: target });
    const moments = await sampleEstimator(backend, builtInEstimators.get('ste-identity')!, problem, samples);
    expect(unitsOutsideBand(moments, problem.exactGradient(problem.initialLogits), sigmas).length).toBeGreaterThan(10);
  });
});
