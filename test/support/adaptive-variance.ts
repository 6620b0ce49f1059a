import { expect } from 'vitest';
import type { ComputeBackend } from '../../core/backend.js';
import { defineEstimator, type EstimatorDefinition } from '../../core/estimator.js';
import type { BatchMoments } from '../../core/moments.js';
import type { Problem } from '../../core/suite.js';
import { withDefaults } from '../../core/parameters.js';
import { Rng } from '../../core/rng.js';
import { hardBernoulliSample } from '../../estimators/hard-bernoulli-sample.js';
import { categoricalSample } from '../../estimators/categorical-sample.js';
import { rebar } from '../../estimators/rebar.js';
import { prepareCell } from '../../harness/cell.js';
import { drawMoments } from '../../harness/sampling.js';
import { trainLogits } from '../../harness/training.js';
import { toyProblem } from './helpers.js';

/**
 * Plain REINFORCE, (b − p) f(b), written here on REBAR's metadata: it declares REBAR's two uniform draws
 * per element, so that both consume the same noise stream and sample the same b (as RELAX does too).
 */
export const reinforceOnRebarNoise = defineEstimator({
  ...rebar,
  id: 'test-reinforce',
  nodeKinds: ['bernoulli'],
  categoricalKernels: undefined,
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

/**
 * Plain REINFORCE on categorical nodes, (b − p) f(b), on REBAR's categorical noise: 2K exponential
 * draws per unit, of which the first K make the sample, so that both draw the same b.
 */
export const categoricalReinforceOnRebarNoise = defineEstimator({
  ...reinforceOnRebarNoise,
  id: 'test-categorical-reinforce',
  nodeKinds: ['categorical'],
  categoricalKernels: {
    exponentialsPerUnit: (_params, classes) => 2 * classes,
    forward: categoricalSample,
    gradient: function testCategoricalReinforceGradient(p: number, h: number, objective: number): number {
      return (h - p) * objective;
    },
  },
});

/** Σᵢ Var[ĝᵢ]: the estimate's total variance. */
export function totalVariance(moments: BatchMoments): number {
  return moments.sumOfSquaredDeviations.reduce((total, deviations) => total + deviations / (moments.count - 1), 0);
}

/** The estimate's total variance at the problem's starting logits with the cell's current state. */
async function varianceNow(cell: ReturnType<typeof prepareCell>, seed: number): Promise<number> {
  const logits = cell.initialParameters;
  return totalVariance(await drawMoments({ cell, logits, baseline: new Float64Array(logits.length), samples: 50_000, batchSize: 8192, rng: new Rng(seed) }));
}

/** Where `expectAdaptationLowersVariance` trains, and the REINFORCE it compares with (drawing the same samples). */
export interface AdaptationSetting {
  readonly problem: Problem;
  readonly reinforce: EstimatorDefinition;
}

/**
 * Trains `estimator` on the RELAX paper's toy (bernoulli-toy, t = 0.499; or `setting`'s problem) on the
 * CPU for `steps` steps and expects its variance at the starting logits to fall below 0.8 × its variance
 * at step 0 and below REINFORCE's (the toy's exact loss barely moves at t = 0.499, so the variance is
 * compared where it is scored: only the state differs). Returns the state before and after training.
 */
export async function expectAdaptationLowersVariance(
  estimator: EstimatorDefinition, steps: number, params: Record<string, number> = {},
  setting: AdaptationSetting = { problem: toyProblem({ t: 0.499 }), reinforce: reinforceOnRebarNoise },
): Promise<{ initial: Record<string, number>; adapted: Record<string, number> }> {
  const { createCpuBackend } = await import('../../backends/cpu.js');
  const cpu: ComputeBackend = await createCpuBackend({ threads: 1 });
  const { problem } = setting;
  const cell = prepareCell(cpu, { estimator, estimatorParams: withDefaults(estimator.params, params), problem, batchSize: 8192 });
  const reinforceCell = prepareCell(cpu, { estimator: setting.reinforce, estimatorParams: {}, problem, batchSize: 8192 });
  try {
    const atStart = await varianceNow(cell, 11);
    const initial = cell.estimatorState.current();
    await trainLogits(cell, estimator, { steps, batchSize: 8192, seeds: 1, samplesPerStep: 64, learningRate: 0.01 }, [new Rng(3)]);
    const adapted = cell.estimatorState.current();
    const afterTraining = await varianceNow(cell, 11);
    const reinforceVariance = await varianceNow(reinforceCell, 11);
    expect(afterTraining).toBeLessThan(0.8 * atStart);
    expect(afterTraining).toBeLessThan(reinforceVariance);
    return { initial, adapted };
  } finally {
    cell.dispose();
    reinforceCell.dispose();
    cpu.dispose();
  }
}
