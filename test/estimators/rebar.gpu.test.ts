import { describe, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { quadraticProblem, sampleEstimator, toyProblem } from '../support/helpers.js';
import { categoricalReinforceOnRebarNoise, expectAdaptationLowersVariance, reinforceOnRebarNoise, totalVariance } from '../support/adaptive-variance.js';
import { categoricalToy } from '../../suites/categorical-toy.js';
import { withDefaults } from '../../core/parameters.js';
import { isStagedProblem, type Problem } from '../../core/suite.js';
import { rebar } from '../../estimators/rebar.js';

const fixedAtZero = { initialEta: 0, etaRate: 0, temperatureRate: 0 };

/** categorical-toy at its defaults (8 units of 6 classes). */
function categoricalToyProblem(): Problem {
  const problem = categoricalToy.create(withDefaults(categoricalToy.params));
  if (isStagedProblem(problem)) throw new Error('categorical-toy is a kernel suite');
  return problem;
}


describeEachBackend('rebar', (backend, backendId) => {
  /**
   * The CPU computes in float64, where the terms η = 0 zeroes add exact zeros: the same bits. A GPU shader
   * computes in float32 and its compiler may contract REBAR's longer expression differently (fused
   * multiply-adds), so there the same estimates agree to float32 precision (relative 1e-4 leaves room for
   * the sums over 20 000 samples; any η ≠ 0 moves them by far more, as the next test shows).
   */
  const expectSameNumbers = (ours: Float64Array, theirs: Float64Array) => {
    if (backendId === 'cpu') {
      expect(Array.from(ours)).toEqual(Array.from(theirs));
      return;
    }
    for (let unit = 0; unit < theirs.length; unit++) expect(Math.abs(ours[unit] - theirs[unit]), `unit ${unit}`).toBeLessThanOrEqual(1e-4 * (Math.abs(theirs[unit]) + 1e-3));
  };

  it('with η = 0 gives exactly the estimates of REINFORCE (to the last bit in float64, to float32 precision on a GPU)', async () => {
    for (const problem of [quadraticProblem(), toyProblem({ t: 0.499 })]) {
      const ours = await sampleEstimator(backend(), rebar, problem, 20_000, 5, fixedAtZero);
      // The same stream: sampleEstimator keys it by the estimator's id, so both draw from REBAR's.
      const theirs = await sampleEstimator(backend(), { ...reinforceOnRebarNoise, id: rebar.id }, problem, 20_000, 5);
      expectSameNumbers(ours.mean, theirs.mean);
      expectSameNumbers(ours.sumOfSquaredDeviations, theirs.sumOfSquaredDeviations);
    }
  });

  it('on categorical nodes, with η = 0 gives exactly the score-function estimates (b − p) f(b) (to the last bit in float64, to float32 precision on a GPU)', async () => {
    const problem = categoricalToyProblem();
    const ours = await sampleEstimator(backend(), rebar, problem, 20_000, 5, fixedAtZero);
    const theirs = await sampleEstimator(backend(), { ...categoricalReinforceOnRebarNoise, id: rebar.id }, problem, 20_000, 5);
    expectSameNumbers(ours.mean, theirs.mean);
    expectSameNumbers(ours.sumOfSquaredDeviations, theirs.sumOfSquaredDeviations);
    // And η ≠ 0 moves them (a check that the comparison can fail).
    const adapted = await sampleEstimator(backend(), rebar, problem, 20_000, 5, { etaRate: 0, temperatureRate: 0 });
    expect(Array.from(adapted.mean)).not.toEqual(Array.from(theirs.mean));
    expect(totalVariance(adapted)).toBeLessThan(totalVariance(theirs));
  });

  it('with η = 1 differs from REINFORCE (a check that the test above can fail) and has lower variance on the toy', async () => {
    const problem = toyProblem({ t: 0.499 });
    const ours = await sampleEstimator(backend(), rebar, problem, 20_000, 5, { etaRate: 0, temperatureRate: 0 });
    const theirs = await sampleEstimator(backend(), { ...reinforceOnRebarNoise, id: rebar.id }, problem, 20_000, 5);
    expect(Array.from(ours.mean)).not.toEqual(Array.from(theirs.mean));
    expect(totalVariance(ours)).toBeLessThan(totalVariance(theirs));
  });
});

describe('rebar adapts η and λ on the RELAX toy (bernoulli-toy, t = 0.499)', () => {
  it('lowers its variance over training, below its variance at step 0 and below REINFORCE\'s', async () => {
    const { initial, adapted } = await expectAdaptationLowersVariance(rebar, 300);
    expect(adapted.eta).not.toBe(initial.eta);
    expect(adapted.temperature).not.toBe(initial.temperature);
  });
});
