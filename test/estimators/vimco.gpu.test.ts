import { describe, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { builtInEstimators } from '../../estimators/index.js';
import { withDefaults } from '../../core/parameters.js';
import { isStagedProblem, type Problem } from '../../core/suite.js';
import { bernoulliQuadratic } from '../../suites/bernoulli-quadratic.js';
import { sampleEstimator, unitsOutsideBand } from '../support/helpers.js';
import {
  categoricalKSampleBoundGradientByBruteForce, categoricalToyKSampleBoundGradient, kSampleBoundGradientByBruteForce, kSampleBoundGradientByCounts,
} from '../support/k-sample-bound.js';
import { categoricalToy } from '../../suites/categorical-toy.js';

const vimco = builtInEstimators.get('vimco')!;

/** A small bernoulli-quadratic (3 units): f(b) = bᵀAb + cᵀb, every joint state of k samples enumerable. */
function smallQuadratic(): { problem: Problem; objective: (b: number[]) => number } {
  const problem = bernoulliQuadratic.create(withDefaults(bernoulliQuadratic.params, { dim: 3 }));
  if (isStagedProblem(problem)) throw new Error('bernoulli-quadratic is a kernel suite');
  const matrix = problem.recordedParams!.A as number[];
  const linear = problem.recordedParams!.c as number[];
  const objective = (b: number[]) => b.reduce((total, bi, i) => total + linear[i] * bi + b.reduce((inner, bj, j) => inner + matrix[i * 3 + j] * bi * bj, 0), 0);
  return { problem, objective };
}

describe('the k-sample bound\'s exact gradient (the tests\' own enumerations)', () => {
  it('by counts equals brute force for an objective of the number of ones', () => {
    const logits = [0.4, -1.1, 1.7];
    const valueOfCount = (count: number) => 0.3 * count * count - 1.2 * count + 0.5;
    const brute = kSampleBoundGradientByBruteForce(logits, 3, (b) => valueOfCount(b.reduce((total, bit) => total + bit, 0)));
    const counted = kSampleBoundGradientByCounts(logits, 3, valueOfCount);
    counted.forEach((value, unit) => expect(value).toBeCloseTo(brute[unit], 12));
  });

  it('differs from the gradient of E[f] (k = 1 is E[f] itself)', () => {
    const { problem, objective } = smallQuadratic();
    const logits = Array.from(problem.initialLogits);
    const single = kSampleBoundGradientByBruteForce(logits, 1, objective);
    Array.from(problem.exactGradient(problem.initialLogits)).forEach((value, unit) => expect(single[unit]).toBeCloseTo(value, 12));
    const bound = kSampleBoundGradientByBruteForce(logits, 3, objective);
    expect(Math.max(...bound.map((value, unit) => Math.abs(value - single[unit])))).toBeGreaterThan(0.05);
  });
});

/** A tiny categorical-toy (2 units of 3 classes, t = 0.9): every joint state of k samples enumerable. */
function tinyCategoricalToy(): { problem: Problem; objective: (classOfUnit: number[]) => number } {
  const t = 0.9;
  const problem = categoricalToy.create(withDefaults(categoricalToy.params, { dim: 2, classes: 3, t }));
  if (isStagedProblem(problem)) throw new Error('categorical-toy is a kernel suite');
  // f = Σ_i ‖x_i − c_i‖², c_i = t on class i mod 3 and (1 − t)/2 elsewhere, written again from the suite's definition.
  const target = (unit: number, c: number) => (c === unit % 3 ? t : (1 - t) / 2);
  const objective = (classOfUnit: number[]) => classOfUnit.reduce((total, drawn, unit) => {
    let distance = 0;
    for (let c = 0; c < 3; c++) distance += ((c === drawn ? 1 : 0) - target(unit, c)) ** 2;
    return total + distance;
  }, 0);
  return { problem, objective };
}

describe('the k-sample bound\'s exact gradient on categorical units (the tests\' own enumerations)', () => {
  it.each([2, 3])('k = %i: the count form on categorical-toy equals brute force', (k) => {
    const { problem, objective } = tinyCategoricalToy();
    const logits = Array.from(problem.initialLogits, (value, index) => value + 0.3 * Math.sin(2 * index + 1));
    const brute = categoricalKSampleBoundGradientByBruteForce(logits, 3, k, objective);
    categoricalToyKSampleBoundGradient(logits, 3, 0.9, k).forEach((value, index) => expect(value).toBeCloseTo(brute[index], 12));
  });
});

describeEachBackend('vimco', (backend) => {
  it.each([2, 3])('k = %i on categorical units: its mean is the enumerated gradient of the k-sample bound (within 5 standard errors), not that of E[f]', async (k) => {
    const { problem, objective } = tinyCategoricalToy();
    const expected = categoricalKSampleBoundGradientByBruteForce(Array.from(problem.initialLogits), 3, k, objective);
    const moments = await sampleEstimator(backend(), vimco, problem, 40_000, 17, { k });
    expect(unitsOutsideBand(moments, expected, 5)).toEqual([]);
    expect(unitsOutsideBand(moments, problem.exactGradient(problem.initialLogits), 5).length).toBeGreaterThan(0);
  });

  it.each([2, 3, 5])('k = %i: its mean is the enumerated gradient of the k-sample bound (within 5 standard errors), not that of E[f]', async (k) => {
    const { problem, objective } = smallQuadratic();
    const expected = kSampleBoundGradientByBruteForce(Array.from(problem.initialLogits), k, objective);
    const moments = await sampleEstimator(backend(), vimco, problem, 40_000, 11, { k });
    expect(unitsOutsideBand(moments, expected, 5)).toEqual([]);
    expect(unitsOutsideBand(moments, problem.exactGradient(problem.initialLogits), 5).length).toBeGreaterThan(0);
  });
});
