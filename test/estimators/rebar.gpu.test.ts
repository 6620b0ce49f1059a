import { describe, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { sampleEstimator, toyProblem } from '../support/helpers.js';
import { defineEstimator } from '../../core/estimator.js';
import { withDefaults } from '../../core/parameters.js';
import { Rng } from '../../core/rng.js';
import type { BatchMoments } from '../../core/moments.js';
import { isStagedProblem } from '../../core/suite.js';
import { rebar } from '../../estimators/rebar.js';
import { hardBernoulliSample } from '../../estimators/hard-bernoulli-sample.js';
import { bernoulliQuadratic } from '../../suites/bernoulli-quadratic.js';
import { prepareCell } from '../../harness/cell.js';
import { drawMoments } from '../../harness/sampling.js';
import { trainLogits } from '../../harness/training.js';
import type { ComputeBackend } from '../../core/backend.js';

/**
 * Plain REINFORCE, (b − p) f(b), written here on REBAR's metadata: it declares REBAR's two uniform draws
 * per element, so that both consume the same noise stream and sample the same b.
 */
const reinforce = defineEstimator({
  ...rebar,
  id: 'test-reinforce',
  params: {},
  evaluations: 1,
  needs: { objective: true, objectiveGradient: false },
  helpers: [],
  state: undefined,
  kernels: {
    forward: hardBernoulliSample,
    gradient: function testReinforceGradient(p: number, h: number, objective: number): number {
      return (h - p) * objective;
    },
  },
});

const fixedAtZero = { initialEta: 0, etaRate: 0, temperatureRate: 0 };

function quadratic() {
  const problem = bernoulliQuadratic.create(withDefaults(bernoulliQuadratic.params, {}));
  if (isStagedProblem(problem)) throw new Error('bernoulli-quadratic is a kernel suite');
  return problem;
}

/** Σᵢ Var[ĝᵢ]: the estimate's total variance. */
function totalVariance(moments: BatchMoments): number {
  return moments.sumOfSquaredDeviations.reduce((total, deviations) => total + deviations / (moments.count - 1), 0);
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
    for (const problem of [quadratic(), toyProblem({ t: 0.499 })]) {
      const ours = await sampleEstimator(backend(), rebar, problem, 20_000, 5, fixedAtZero);
      // The same stream: sampleEstimator keys it by the estimator's id, so both draw from REBAR's.
      const theirs = await sampleEstimator(backend(), { ...reinforce, id: rebar.id }, problem, 20_000, 5);
      expectSameNumbers(ours.mean, theirs.mean);
      expectSameNumbers(ours.sumOfSquaredDeviations, theirs.sumOfSquaredDeviations);
    }
  });

  it('with η = 1 differs from REINFORCE (a check that the test above can fail) and has lower variance on the toy', async () => {
    const problem = toyProblem({ t: 0.499 });
    const ours = await sampleEstimator(backend(), rebar, problem, 20_000, 5, { etaRate: 0, temperatureRate: 0 });
    const theirs = await sampleEstimator(backend(), { ...reinforce, id: rebar.id }, problem, 20_000, 5);
    expect(Array.from(ours.mean)).not.toEqual(Array.from(theirs.mean));
    expect(totalVariance(ours)).toBeLessThan(totalVariance(theirs));
  });
});

/** The estimate's total variance at the toy's starting logits with the cell's current state. */
async function varianceNow(cell: ReturnType<typeof prepareCell>, seed: number): Promise<number> {
  const logits = cell.initialParameters;
  return totalVariance(await drawMoments({ cell, logits, baseline: new Float64Array(logits.length), samples: 50_000, batchSize: 8192, rng: new Rng(seed) }));
}

describe('rebar adapts η and λ on the RELAX toy (bernoulli-toy, t = 0.499)', () => {
  it('lowers its variance over training, below its variance at step 0 and below REINFORCE\'s', async () => {
    const { createCpuBackend } = await import('../../backends/cpu.js');
    const cpu: ComputeBackend = await createCpuBackend({ threads: 1 });
    const problem = toyProblem({ t: 0.499 });
    const cell = prepareCell(cpu, { estimator: rebar, estimatorParams: withDefaults(rebar.params, {}), problem, batchSize: 8192 });
    const reinforceCell = prepareCell(cpu, { estimator: reinforce, estimatorParams: {}, problem, batchSize: 8192 });
    try {
      const atStart = await varianceNow(cell, 11);
      const initial = cell.estimatorState.current();
      // The toy's exact loss barely moves at t = 0.499 (its gradient is tiny), so the variance is
      // compared at the starting logits, where it is scored: only the state differs.
      await trainLogits(cell, rebar, { steps: 300, batchSize: 8192, seeds: 1, samplesPerStep: 64, learningRate: 0.01 }, [new Rng(3)]);
      const adapted = cell.estimatorState.current();
      const afterTraining = await varianceNow(cell, 11);
      const reinforceVariance = await varianceNow(reinforceCell, 11);
      expect(adapted.eta).not.toBe(initial.eta);
      expect(adapted.temperature).not.toBe(initial.temperature);
      expect(afterTraining).toBeLessThan(0.8 * atStart);
      expect(afterTraining).toBeLessThan(reinforceVariance);
    } finally {
      cell.dispose();
      reinforceCell.dispose();
      cpu.dispose();
    }
  });
});
