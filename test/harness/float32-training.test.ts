/** Float32 training of the network suites: the same estimates as the float64 path, Adam in WebAssembly, the precision recorded. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../backends/cpu.js';
import type { ComputeBackend } from '../../core/backend.js';
import { withDefaults } from '../../core/parameters.js';
import { Rng } from '../../core/rng.js';
import { isStagedProblem, type StagedProblem, type SuiteDefinition } from '../../core/suite.js';
import type { TrainingPrecision } from '../../core/types.js';
import { builtInEstimators } from '../../estimators/index.js';
import { prepareCell, type ReadyCell } from '../../harness/cell.js';
import { trainLogits } from '../../harness/training.js';
import { mnistBinaryVae } from '../../suites/mnist-binary-vae.js';
import { mnistCategoricalVae } from '../../suites/mnist-categorical-vae.js';
import { mnistQuantizedMlp } from '../../suites/mnist-quantized-mlp.js';

const smallBinaryVae = { latents: 6, batch: 10, warmupSteps: 0, scoreExamples: 2, referenceSamples: 100, evalExamples: 20 };

/**
 * Small networks of each suite that trains in float32, with the estimators its PyTorch peers run:
 * REBAR and RELAX carry state (η, λ; RELAX's network) that each step adapts from redraws of its estimate.
 */
const networks: ReadonlyArray<readonly [SuiteDefinition, string, Record<string, number>]> = [
  [mnistQuantizedMlp, 'ste-clipped-relu', { hidden: 32, batch: 20 }],
  [mnistBinaryVae, 'disarm', smallBinaryVae],
  [mnistBinaryVae, 'rebar', smallBinaryVae],
  [mnistBinaryVae, 'relax', smallBinaryVae],
  [mnistCategoricalVae, 'gumbel-softmax', { latents: 3, classes: 4, hiddenOuter: 16, hiddenInner: 8, batch: 10, warmupSteps: 0, scoreExamples: 2, referenceSamples: 100, evalExamples: 20 }],
];

function staged(suite: SuiteDefinition, settings: Record<string, number>): StagedProblem {
  const problem = suite.create(withDefaults(suite.params, settings));
  if (!isStagedProblem(problem)) throw new Error(`${suite.id} is staged`);
  return problem;
}

const norm = (values: ArrayLike<number>) => Math.sqrt(Array.from(values).reduce((total, value) => total + value * value, 0));

describe('float32 training', () => {
  let cpu: ComputeBackend;
  beforeAll(async () => {
    cpu = await createCpuBackend({ threads: 1 });
  });
  afterAll(() => cpu?.dispose());

  /** Trains `steps` steps in `precision` and returns the run's final parameters and its recorded settings. */
  async function train(cell: ReadyCell, estimatorId: string, precision: TrainingPrecision, steps: number, overrides: { optimizer?: 'sgd'; samplesPerStep?: number } = {}) {
    let last: Float64Array = new Float64Array(0);
    const capturing: ReadyCell = { ...cell, evaluate: async (params) => ((last = Float64Array.from(params)), { loss: 0 }), trainingDefaults: { ...cell.trainingDefaults, curvePoints: 1 } };
    const result = await trainLogits(capturing, builtInEstimators.get(estimatorId)!, { steps, batchSize: 1, seeds: 1, precision, ...overrides }, [new Rng(31)]);
    return { params: last, settings: result.trainingSettings!, state: result.finalEstimatorStates[0] };
  }

  for (const [suite, estimatorId, settings] of networks) {
    describe(`${suite.id}, ${estimatorId}`, () => {
      it('chooses float32 itself, and estimateInto gives exactly the estimate `estimates` gives at the same float32 point and stream', async () => {
        const problem = staged(suite, settings);
        expect(problem.trainingDefaults?.precision).toBe('float32');
        const estimator = builtInEstimators.get(estimatorId)!;
        const cell = prepareCell(cpu, { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize: 1 });
        try {
          const point = Float32Array.from(problem.initialParameters);
          const into = new Float32Array(point.length).fill(Number.NaN);
          await cell.estimateInto!(point, into, new Rng(5), 3);
          const float64 = (await cell.estimateMoments(Float64Array.from(point), new Float64Array(0), 1, new Rng(5), 3)).mean;
          expect(norm(into)).toBeGreaterThan(0);
          expect(Array.from(into)).toEqual(Array.from(float64));
        } finally {
          cell.dispose();
        }
      });

      it('trains to within float32 rounding of the float64 path over 8 Adam steps, and records the precision of each', async () => {
        const problem = staged(suite, settings);
        const estimator = builtInEstimators.get(estimatorId)!;
        const cell = prepareCell(cpu, { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize: 1 });
        try {
          const float32 = await train(cell, estimatorId, 'float32', 8);
          const float64 = await train(cell, estimatorId, 'float64', 8);
          expect(float32.settings.precision).toBe('float32');
          expect(float64.settings.precision).toBe('float64');
          const start = problem.initialParameters;
          const moved = norm(float64.params.map((value, index) => value - start[index]));
          const apart = norm(float64.params.map((value, index) => value - float32.params[index]));
          // 8 steps of lr 1e-3 move the parameters by about 1e-3 each; float32 rounding (and a rare
          // activation that a rounding moves across a hard threshold) keeps the runs within a few per cent of that.
          expect(moved).toBeGreaterThan(0);
          expect(apart / moved).toBeLessThan(0.05);
          // The estimator's state adapted the same way: its values moved, and by the same amounts to
          // within a few per cent (the redraws' Σ ĝ² are summed from float32 estimates).
          cell.estimatorState.reset();
          const initial = cell.estimatorState.current();
          expect(Object.keys(float32.state)).toEqual(Object.keys(float64.state));
          if (cell.estimatorState.active) expect(float64.state.eta).not.toBe(initial.eta);
          for (const [name, value] of Object.entries(float64.state)) {
            expect(Math.abs(float32.state[name] - value), name).toBeLessThanOrEqual(0.05 * Math.abs(value - initial[name]));
          }
        } finally {
          cell.dispose();
        }
      });
    });
  }

  /** Runs `body` on a cell of the first network (the MLP), disposed after. */
  async function withMlpCell(body: (cell: ReadyCell, estimatorId: string) => Promise<void>) {
    const [suite, estimatorId, settings] = networks[0];
    const estimator = builtInEstimators.get(estimatorId)!;
    const cell = prepareCell(cpu, { estimator, estimatorParams: withDefaults(estimator.params), problem: staged(suite, settings), batchSize: 1 });
    try {
      await body(cell, estimatorId);
    } finally {
      cell.dispose();
    }
  }

  it('falls back to float64, and records it, where the float32 path does not apply (SGD, several estimates per step)', () =>
    withMlpCell(async (cell, estimatorId) => {
      expect((await train(cell, estimatorId, 'float32', 1, { optimizer: 'sgd' })).settings.precision).toBe('float64');
      expect((await train(cell, estimatorId, 'float32', 1, { samplesPerStep: 2 })).settings.precision).toBe('float64');
    }));

  it('fails the run with the unit of the first NaN when an estimate is not finite', () =>
    withMlpCell(async (cell, estimatorId) => {
      const poisoned: ReadyCell = {
        ...cell,
        async estimateInto(params, gradient, rng, step) {
          await cell.estimateInto!(params, gradient, rng, step);
          gradient[1234] = Number.NaN;
        },
      };
      await expect(train(poisoned, estimatorId, 'float32', 2)).rejects.toThrow(/mean gradient is NaN at unit 1234/);
    }));

  it('fails a stateful estimator\'s run the same way when a variance gradient\'s redraw is not finite', async () => {
    const estimator = builtInEstimators.get('rebar')!;
    const cell = prepareCell(cpu, { estimator, estimatorParams: withDefaults(estimator.params), problem: staged(mnistBinaryVae, smallBinaryVae), batchSize: 1 });
    try {
      let calls = 0;
      // The step's own estimate is finite; the first redraw (η + δ) is poisoned.
      const poisoned: ReadyCell = {
        ...cell,
        async estimateInto(params, gradient, rng, step) {
          await cell.estimateInto!(params, gradient, rng, step);
          if (calls++ === 1) gradient[77] = Number.POSITIVE_INFINITY;
        },
      };
      await expect(train(poisoned, 'rebar', 'float32', 1)).rejects.toThrow(/mean gradient is Infinity at unit 77/);
      expect(calls).toBe(2);
    } finally {
      cell.dispose();
    }
  });
});
