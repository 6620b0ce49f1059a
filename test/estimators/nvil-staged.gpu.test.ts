import { expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { toyProblem } from '../support/helpers.js';
import { stagedTwin } from '../support/staged-toy.js';
import { entriesOutsideBand, smallVae, smallVaes } from '../support/small-vae.js';
import type { EstimatorDefinition } from '../../core/estimator.js';
import type { StateUpdateInput } from '../../core/estimator-state.js';
import { withDefaults } from '../../core/parameters.js';
import { Rng } from '../../core/rng.js';
import type { Problem, StagedProblem } from '../../core/suite.js';
import { nvil } from '../../estimators/nvil.js';
import { hardBernoulliSample } from '../../estimators/hard-bernoulli-sample.js';
import { prepareCell } from '../../harness/cell.js';
import { scoreAtLogits } from '../../harness/sampling.js';
import { trainLogits } from '../../harness/training.js';
import { mnistStochasticMlp as stochasticMlp } from '../../suites/mnist-stochastic-mlp.js';

/** nvil with its update spied on: every input the harness hands it is kept in `seen`, with a copy of its (live) arrays. */
function spiedNvil(seen: StateUpdateInput[]): EstimatorDefinition {
  const state = nvil.state!;
  const copied = (input: StateUpdateInput) => ({ ...input, arrays: Object.fromEntries(Object.entries(input.arrays).map(([name, array]) => [name, array.slice()])) });
  return { ...nvil, state: { ...state, update: (input) => (seen.push(copied(input)), state.update(input)) } };
}

/**
 * A plug-in with the scalar regression baseline of docs/extending.md (no host terms, no node samples), so
 * that it runs fused on a kernel problem (objective values from the probe) and staged on its twin
 * (from the node's recorded batches).
 */
const scalarBaseline: EstimatorDefinition = {
  // nvil's metadata (a score-function estimator reading L), without its host term and node samples.
  ...nvil,
  id: 'scalar-regression-baseline',
  hostTerms: undefined,
  kernels: {
    forward: hardBernoulliSample,
    gradient: function scalarBaselineGradient(p: number, h: number, objective: number, learnedBaseline: number): number {
      return (h - p) * (objective - learnedBaseline);
    },
  },
  state: {
    names: ['learnedBaseline', 'objectiveVariance'],
    init: () => ({ learnedBaseline: 0, objectiveVariance: 0 }),
    needsObjectiveMoments: true,
    update: ({ values, objective }) => ({
      learnedBaseline: values.learnedBaseline + 0.1 * (objective!.mean - values.learnedBaseline),
      objectiveVariance: objective!.variance,
    }),
  },
};

const mean = (values: number[]) => values.reduce((total, value) => total + value, 0) / values.length;
const variance = (values: number[]) => mean(values.map((value) => (value - mean(values)) ** 2));

describeEachBackend('nvil on staged problems', (backend, backendId) => {
  it('a staged cell hands the update the objective values a fused cell\'s probe redraws: a scalar regression baseline learns the same state on both', async () => {
    const states: Record<string, number>[] = [];
    const kernel = toyProblem({ dim: 12, t: 3 });
    for (const problem of [kernel, stagedTwin(kernel, 3)] as (Problem | StagedProblem)[]) {
      const cell = prepareCell(backend(), { estimator: scalarBaseline, estimatorParams: {}, problem, batchSize: 512 });
      try {
        expect(cell.execution).toBe(problem === kernel ? 'fused' : 'staged');
        await trainLogits(cell, scalarBaseline, { steps: 20, batchSize: 512, seeds: 1, samplesPerStep: 256, learningRate: 0.05, optimizer: 'sgd' }, [new Rng(4)]);
        states.push(cell.estimatorState.current());
      } finally {
        cell.dispose();
      }
    }
    // The state moved (E f ≈ 12 · 6.5 here), and identically on both paths: float64 on the CPU; on the
    // GPU the fused probe sums its objective in float32.
    expect(states[0].learnedBaseline).toBeGreaterThan(20);
    expect(states[0].objectiveVariance).toBeGreaterThan(10);
    const tolerance = backendId === 'cpu' ? 1e-9 : 1e-4;
    for (const name of Object.keys(states[0])) expect(Math.abs(states[1][name] - states[0][name]), name).toBeLessThan(tolerance * (1 + Math.abs(states[0][name])));
  });

  const [binaryVae, binarySettings] = smallVaes[0];

  it('on the binary VAE, the input-dependent baseline learns: the learning signal L − c(x) varies far less over a step\'s images than L', async () => {
    const seen: StateUpdateInput[] = [];
    const estimator = spiedNvil(seen);
    // 40 images a step, 20 latents, the suite's Adam at 1e-3: as the VAE learns, images differ in L by
    // tens of nats (at the start, with the decoder near ½ everywhere, L hardly depends on the image).
    const steps = 200;
    const problem = smallVae(binaryVae, binarySettings, { batch: 40, latents: 20 });
    const cell = prepareCell(backend(), { estimator, estimatorParams: withDefaults(nvil.params), problem, batchSize: 1 });
    try {
      await trainLogits(cell, estimator, { steps, batchSize: 1, seeds: 1 }, [new Rng(5)]);
    } finally {
      cell.dispose();
    }
    expect(seen).toHaveLength(steps);
    // What the kernels subtracted at each step: the estimator's host term c(x) on the step's own batch
    // (with the values it was drawn with), against each image's L as the node was handed it.
    const signal = seen.map(({ samples, arrays }) => {
      expect(samples).toHaveLength(1);
      const batch = { ...samples![0], arrays };
      expect(batch.rows).toBe(40);
      const baselines = nvil.hostTerms!.compute(batch).row.rowBaseline;
      const objectives = Array.from(batch.objectives!);
      const residuals = objectives.map((value, row) => value - baselines[row]);
      return { objective: variance(objectives), residual: variance(residuals), squared: mean(residuals.map((value) => value * value)) };
    });
    // Step 1 subtracts c = 0 from L ≈ 550 nats; the last 50 steps keep a fraction of L's spread over
    // images (about half of it here), where a scalar baseline keeps all of it.
    const late = signal.slice(-50);
    expect(signal[0].squared).toBeGreaterThan(1e5);
    expect(mean(late.map((step) => step.squared))).toBeLessThan(1e-2 * signal[0].squared);
    expect(mean(late.map((step) => step.objective))).toBeGreaterThan(500);
    expect(mean(late.map((step) => step.residual))).toBeLessThan(0.75 * mean(late.map((step) => step.objective)));
    // A scalar baseline (networkRate 0) leaves all of it: the input is what explains the rest.
    expect(signal[0].residual).toBeCloseTo(signal[0].objective, 6);
  });

  it('on the binary VAE, the estimate with the state learned in training, times its normaliser, is within 5 standard errors of the reference at the fixed point', async () => {
    const problem = smallVae(binaryVae, binarySettings);
    const cell = prepareCell(backend(), { estimator: nvil, estimatorParams: withDefaults(nvil.params), problem, batchSize: 2000 });
    try {
      await trainLogits(cell, nvil, { steps: 40, batchSize: 1, seeds: 1 }, [new Rng(6)]);
      const { learnedBaseline, signalScale } = cell.estimatorState.current();
      // A learned baseline near E[L] and a normaliser above 1: the check exercises both.
      expect(learnedBaseline).toBeGreaterThan(100);
      expect(signalScale).toBeGreaterThan(1.5);
      const samples = 6000;
      const scores = (await scoreAtLogits({ cell, estimator: nvil, logits: problem.initialParameters, samples, batchSize: 2000, rng: new Rng(7) }))!;
      const reference = (await cell.scoring!.reference())!;
      expect(entriesOutsideBand(scores, reference, samples, signalScale)).toEqual([]);
      // Not trivially: the unscaled mean is off by the factor 1/s on the entries that the reference resolves.
      expect(entriesOutsideBand(scores, reference, samples).length).toBeGreaterThan(0);
    } finally {
      cell.dispose();
    }
  });

  it('on mnist-stochastic-mlp, the baseline learns a digit\'s mean loss E[L] (the cell\'s own sampled training loss)', async () => {
    const seen: StateUpdateInput[] = [];
    const estimator = spiedNvil(seen);
    const problem = stochasticMlp.create(withDefaults(stochasticMlp.params, { hidden: 16 })) as StagedProblem;
    const cell = prepareCell(backend(), { estimator, estimatorParams: withDefaults(nvil.params), problem, batchSize: 1 });
    try {
      // Learning rate 0: the weights stay at their start, where the loss is evaluated; 80 steps forget c's start (0.9⁸⁰ ≈ 2e-4).
      await trainLogits(cell, estimator, { steps: 80, batchSize: 1, seeds: 1, learningRate: 0 }, [new Rng(8)]);
      const { learnedBaseline } = cell.estimatorState.current();
      const { loss } = await cell.evaluate(problem.initialParameters);
      expect(seen.every((input) => input.objective?.count === 64)).toBe(true);
      // c averages the last ~19 steps' means of 64 digits each (rate 0.1): its standard error is about √(Var L · 0.1 / 1.9 / 64).
      const variance = seen.reduce((total, input) => total + input.objective!.variance, 0) / seen.length;
      expect(Math.abs(learnedBaseline - loss)).toBeLessThan(5 * Math.sqrt((variance * 0.1) / 1.9 / 64) + 1e-3);
      expect(loss).toBeGreaterThan(1);
    } finally {
      cell.dispose();
    }
  });
}, { staged: true });
