/**
 * The statistics behind the verdict: when a difference is called, the normal quantiles, the bias test
 * (its false-alarm rate and power on simulated estimates drawn here with their own generator), and the
 * Pareto set with noise.
 */
import { describe, expect, it } from 'vitest';
import type { CompletedCell } from '../../reports/cells.js';
import { compareBetter, compareMeasured, normalUpperQuantile, normalUpperTail } from '../../reports/verdict/noise.js';
import { dominates, paretoSet, type TradeOffPoint } from '../../reports/verdict/pareto.js';
import { biasTest } from '../../reports/verdict/unbiased.js';
import { testNormals } from '../support/random-for-tests.js';

describe('calling a difference', () => {
  it.each([
    // a, b, expected: the threshold is 2·√(SE_a² + SE_b²)
    [{ value: 1, stdErr: 0.1 }, { value: 1.2, stdErr: 0.1 }, 'tie'], // 0.2 < 2·0.141
    [{ value: 1, stdErr: 0.1 }, { value: 1.3, stdErr: 0.1 }, 'lower'], // 0.3 > 0.283
    [{ value: 2, stdErr: 0.3 }, { value: 1, stdErr: 0.4 }, 'tie'], // 1 ≤ 2·0.5
    [{ value: 2.1, stdErr: 0.3 }, { value: 1, stdErr: 0.4 }, 'higher'],
    [{ value: 1 }, { value: 2, stdErr: 0.1 }, 'untested'],
    [{ value: 1 }, { value: 1 }, 'tie'],
    [{ value: 1, stdErr: 0 }, { value: 2, stdErr: 0 }, 'lower'], // exact numbers (evaluations)
  ] as const)('%o against %o is %s', (a, b, expected) => {
    expect(compareMeasured(a, b)).toBe(expected);
  });

  it('turns the order round where higher is better', () => {
    expect(compareBetter({ value: 0.9, stdErr: 0.01 }, { value: 0.8, stdErr: 0.01 }, 'higher')).toBe('lower');
    expect(compareBetter({ value: 0.9, stdErr: 0.1 }, { value: 0.8, stdErr: 0.1 }, 'higher')).toBe('tie');
  });

  it('has the normal quantiles of the tables', () => {
    expect(normalUpperQuantile(0.025)).toBeCloseTo(1.959964, 4);
    expect(normalUpperQuantile(0.005)).toBeCloseTo(2.575829, 4);
    expect(normalUpperQuantile(0.01 / 32)).toBeCloseTo(3.4205, 3);
    expect(normalUpperTail(3)).toBeCloseTo(0.0013499, 6);
  });
});

/** A completed cell scored from `samples` simulated estimates per unit: normal with the given means and spreads. */
function simulatedCell(means: readonly number[], spreads: readonly number[], exact: readonly number[], samples: number, seed: number): CompletedCell {
  const normal = testNormals(seed);
  const meanGradient: number[] = [];
  const varianceByUnit: number[] = [];
  means.forEach((mean, unit) => {
    const draws = Array.from({ length: samples }, () => mean + spreads[unit] * normal());
    const average = draws.reduce((total, value) => total + value, 0) / samples;
    meanGradient.push(average);
    varianceByUnit.push(draws.reduce((total, value) => total + (value - average) ** 2, 0) / (samples - 1));
  });
  const variance = varianceByUnit.reduce((total, value) => total + value, 0);
  const bias = Math.hypot(...meanGradient.map((value, unit) => value - exact[unit]));
  const metrics = {
    referenceKind: 'closed-form', exactGradient: [...exact], meanGradient, varianceByUnit, bias, biasStdErr: Math.sqrt(variance / samples),
    relativeBias: bias / Math.hypot(...exact), variance, mse: variance + bias * bias, cosine: 1,
  };
  return {
    key: `k${seed}`, suite: 's', estimator: 'e', backend: 'cpu', seed, samples, suiteParams: {}, estimatorParams: {}, elapsedMs: 0, state: 'completed', metrics,
  } as unknown as CompletedCell;
}

describe('the bias test', () => {
  const exact = [0.5, -1, 2, 0, 0.25, -0.75, 1.5, 3];
  const spreads = [1, 2, 0.5, 1, 3, 1, 1, 0.2];
  const samples = 400;
  const trials = 300;

  it('calls an unbiased estimator biased rarely (the design rate is at most about 1.3%)', () => {
    let alarms = 0;
    for (let trial = 0; trial < trials; trial++) if (!biasTest([simulatedCell(exact, spreads, exact, samples, 1000 + trial)])!.withinNoise) alarms++;
    // Binomial(300, 0.013): mean 3.9, P(X > 12) < 1e-3.
    expect(alarms).toBeLessThanOrEqual(12);
  });

  it('finds a bias of six standard errors in one unit of eight nearly always', () => {
    const shifted = exact.map((value, unit) => (unit === 4 ? value + (6 * spreads[4]) / Math.sqrt(samples) : value));
    let found = 0;
    for (let trial = 0; trial < 100; trial++) if (!biasTest([simulatedCell(shifted, spreads, exact, samples, 5000 + trial)])!.withinNoise) found++;
    // z ~ N(6, 1) against a threshold of 3.42: missed with probability about 0.5%.
    expect(found).toBeGreaterThanOrEqual(95);
  });

  it('pools seeds: three unbiased seeds are no more often biased than one', () => {
    let alarms = 0;
    for (let trial = 0; trial < 100; trial++) {
      const seeds = [0, 1, 2].map((offset) => simulatedCell(exact, spreads, exact, samples, 9000 + 3 * trial + offset));
      if (!biasTest(seeds)!.withinNoise) alarms++;
    }
    expect(alarms).toBeLessThanOrEqual(6);
  });

  it('without per-unit moments (older files) tests the norm alone', () => {
    const cell = simulatedCell(exact, spreads, exact, samples, 77);
    const stripped = { ...cell, metrics: { ...cell.metrics, meanGradient: undefined, varianceByUnit: undefined } } as unknown as CompletedCell;
    expect(biasTest([stripped])!.withinNoise).toBe(true);
    const biased = { ...stripped, metrics: { ...stripped.metrics, bias: 4 * (cell.metrics as { biasStdErr: number }).biasStdErr } } as unknown as CompletedCell;
    expect(biasTest([biased])!.withinNoise).toBe(false);
  });
});

describe('the Pareto set with noise', () => {
  const point = (label: string, mse: number, mseError: number, cost: number, costError = 0): TradeOffPoint =>
    ({ label, mse: { value: mse, stdErr: mseError }, cost: { value: cost, stdErr: costError } });

  it('keeps the points no other beats beyond noise in one score without losing beyond noise in the other', () => {
    const points = [
      point('cheap-noisy', 10, 0.1, 1),
      point('cheap-tied', 10.1, 0.1, 1), // within noise of cheap-noisy in both: stays
      point('dear-good', 1, 0.01, 4),
      point('dear-bad', 5, 0.05, 4), // dominated by dear-good (same cost, lower MSE)
      point('middle', 12, 0.1, 2), // dominated by cheap-noisy (cheaper, lower MSE)
    ];
    const { members, dominatedBy, front } = paretoSet(points);
    expect(members).toEqual(['cheap-noisy', 'cheap-tied', 'dear-good']);
    expect(dominatedBy.get('dear-bad')).toBe('dear-good');
    expect(dominatedBy.get('middle')).toBe('cheap-noisy');
    expect(front.map((entry) => entry.label)).toEqual(['cheap-noisy', 'dear-good']);
  });

  it('does not let a cost within its noise decide', () => {
    const fast = point('fast', 2, 0.01, 1.0, 0.3);
    const slow = point('slow', 1, 0.01, 1.5, 0.3); // cost difference 0.5 < 2·0.42: a tie, so the lower MSE dominates
    expect(dominates(slow, fast)).toBe(true);
    expect(paretoSet([fast, slow]).members).toEqual(['slow']);
    const [preciseFast, preciseSlow] = [point('fast', 2, 0.01, 1.0, 0.05), point('slow', 1, 0.01, 1.5, 0.05)];
    expect(paretoSet([preciseFast, preciseSlow]).members).toEqual(['fast', 'slow']);
  });
});
