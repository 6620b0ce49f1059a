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
import { prepareCell } from '../../harness/cell.js';
import { scoreAtLogits } from '../../harness/sampling.js';
import { trainLogits } from '../../harness/training.js';
import { mnistStochasticMlp as stochasticMlp } from '../../suites/mnist-stochastic-mlp.js';

/** nvil with its update spied on: every input the harness hands it is kept in `seen`. */
function spiedNvil(seen: StateUpdateInput[]): EstimatorDefinition {
  const state = nvil.state!;
  return { ...nvil, state: { ...state, update: (input) => (seen.push(input), state.update(input)) } };
}

describeEachBackend('nvil on staged problems', (backend, backendId) => {
  it('a staged bernoulli-toy learns the fused cell\'s state: the objective values its step observes are those the probe redraws', async () => {
    const states: Record<string, number>[] = [];
    const kernel = toyProblem({ dim: 12, t: 3 });
    for (const problem of [kernel, stagedTwin(kernel, 3)] as (Problem | StagedProblem)[]) {
      const cell = prepareCell(backend(), { estimator: nvil, estimatorParams: withDefaults(nvil.params), problem, batchSize: 512 });
      try {
        expect(cell.execution).toBe(problem === kernel ? 'fused' : 'staged');
        await trainLogits(cell, nvil, { steps: 20, batchSize: 512, seeds: 1, samplesPerStep: 256, learningRate: 0.05, optimizer: 'sgd' }, [new Rng(4)]);
        states.push(cell.estimatorState.current());
      } finally {
        cell.dispose();
      }
    }
    // The state moved (Var f ≈ 57 here, so the scale is well above 1), and identically on both paths:
    // float64 on the CPU; on the GPU the fused probe sums its objective in float32.
    expect(states[0].signalScale).toBeGreaterThan(3);
    const tolerance = backendId === 'cpu' ? 1e-9 : 1e-4;
    for (const name of Object.keys(states[0])) expect(Math.abs(states[1][name] - states[0][name]), name).toBeLessThan(tolerance * (1 + Math.abs(states[0][name])));
  });

  const [binaryVae, binarySettings] = smallVaes[0];

  it('on the binary VAE, the step hands each image\'s L: the baseline\'s regression loss E[(L − c)²] falls from L² to about Var L', async () => {
    const seen: StateUpdateInput[] = [];
    const estimator = spiedNvil(seen);
    const problem = smallVae(binaryVae, binarySettings);
    const cell = prepareCell(backend(), { estimator, estimatorParams: withDefaults(nvil.params), problem, batchSize: 1 });
    try {
      await trainLogits(cell, estimator, { steps: 40, batchSize: 1, seeds: 1 }, [new Rng(5)]);
    } finally {
      cell.dispose();
    }
    expect(seen).toHaveLength(40);
    // One value per image of the minibatch (one estimate is one minibatch of 10), about 550 nats at the start.
    expect(seen.every((input) => input.objective?.count === binarySettings.batch)).toBe(true);
    expect(seen[0].objective!.mean).toBeGreaterThan(300);
    const regressionLoss = ({ objective, values }: StateUpdateInput) =>
      (objective!.variance * (objective!.count - 1)) / objective!.count + (objective!.mean - values.learnedBaseline) ** 2;
    const late = seen.slice(-5);
    const lateLoss = late.reduce((total, input) => total + regressionLoss(input), 0) / late.length;
    const lateVariance = late.reduce((total, input) => total + input.objective!.variance, 0) / late.length;
    expect(lateLoss).toBeLessThan(0.01 * regressionLoss(seen[0]));
    // What is left is about the spread of L over images (c tracks a mean that training moves slowly).
    expect(lateLoss).toBeLessThan(4 * lateVariance);
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
