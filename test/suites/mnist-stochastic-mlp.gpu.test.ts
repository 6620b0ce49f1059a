import { describe, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { builtInBackends } from '../../backends/index.js';
import { builtInEstimators } from '../../estimators/index.js';
import { builtInSuites } from '../../suites/index.js';
import { prepareCell, type ReadyCell } from '../../harness/cell.js';
import { resolveConfig } from '../../harness/config.js';
import { withDefaults } from '../../core/parameters.js';
import { hashSeed, Rng } from '../../core/rng.js';
import { scoreAtLogits } from '../../harness/sampling.js';
import { trainLogits } from '../../harness/training.js';
import { MnistDigits } from '../../suites/mnist-data.js';
import { createMnistStochasticMlpSuite } from '../../suites/mnist-stochastic-mlp.js';
import { isStagedProblem, type StagedProblem } from '../../core/suite.js';

// One suite (and one loader) for the whole file: the digits are read once, the references computed once.
const suite = createMnistStochasticMlpSuite(new MnistDigits());

function problemWith(overrides: Record<string, number> = {}): StagedProblem {
  const problem = suite.create(withDefaults(suite.params, overrides));
  if (!isStagedProblem(problem)) throw new Error('mnist-stochastic-mlp is staged');
  return problem;
}

/** Small scoring settings: 12 hidden units, 3 digits, a reference of 20 000 samples per digit. */
const smallScoring = { hidden: 12, scoreExamples: 3, referenceSamples: 20000 };

describeEachBackend('mnist-stochastic-mlp', (backend) => {
  it.each(['slope-annealed-st', 'ste-identity'])('%s: 60 SGD steps (lr 0.1, batch 64) lift the test accuracy far above chance', async (id) => {
    const estimator = builtInEstimators.get(id)!;
    const problem = problemWith();
    const prepared = prepareCell(backend(), { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize: 1 });
    // Evaluate at the start and the end only: each evaluation reads all 10 000 digits.
    const cell: ReadyCell = { ...prepared, trainingDefaults: { ...prepared.trainingDefaults, curvePoints: 1 } };
    try {
      const result = await trainLogits(cell, estimator, { steps: 60, batchSize: 1, seeds: 1 }, [new Rng(4)]);
      const metrics = result.trainingMetrics!;
      expect(metrics.testAccuracy.curve.mean[0]).toBeLessThan(0.2);
      expect(metrics.testAccuracy.final).toBeGreaterThan(0.5);
      expect(metrics.thresholdTestAccuracy.final).toBeGreaterThan(0.5);
      expect(result.finalLoss).toBeLessThan(result.lossCurve.loss[0]);
    } finally {
      prepared.dispose();
    }
  });

  it.each(['bengio-unbiased', 'disarm', 'nvil'])('%s (unbiased): the mean gradient w.r.t. the hidden logits is within 5 standard errors of the Monte Carlo reference', async (id) => {
    const estimator = builtInEstimators.get(id)!;
    const problem = problemWith(smallScoring);
    const cell = prepareCell(backend(), { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize: 2000 });
    try {
      const samples = 8000;
      const scores = (await scoreAtLogits({ cell, estimator, logits: problem.initialParameters, samples, batchSize: 2000, rng: new Rng(hashSeed(3, id)) }))!;
      const reference = (await cell.scoring!.reference())!;
      expect(scores.referenceKind).toBe('monte-carlo');
      const outside = scores.meanGradient.filter((mean, entry) => Math.abs(mean - reference.gradient[entry]) > 5 * Math.sqrt(scores.varianceByUnit[entry] / samples + reference.stdErr![entry] ** 2));
      expect(outside).toEqual([]);
      expect(Math.hypot(...reference.gradient)).toBeGreaterThan(20 * Math.hypot(...reference.stdErr!));
    } finally {
      cell.dispose();
    }
  });
});

describe('mnist-stochastic-mlp across backends', () => {
  it('runs only when named; two layers refuse estimators that need objective values and have no gradient scores', async () => {
    const registries = { suites: builtInSuites, estimators: builtInEstimators, backends: builtInBackends };
    expect(resolveConfig({}, registries).suites).not.toContain('mnist-stochastic-mlp');
    const twoLayers = problemWith({ layers: 2, hidden: 16 });
    expect(twoLayers.initialParameters).toHaveLength(784 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10);
    expect(twoLayers.unsupportedReason!(builtInEstimators.get('bengio-unbiased')!)).toMatch(/objective values/);
    expect(problemWith().unsupportedReason!(builtInEstimators.get('arm')!)).toBeNull();
    const backend = await builtInBackends.get('cpu')!({ threads: 2 });
    try {
      const cell = prepareCell(backend, { estimator: builtInEstimators.get('ste-sigmoid')!, estimatorParams: {}, problem: twoLayers, batchSize: 1 });
      expect(cell.scoring).toBeUndefined();
      expect(await cell.referenceGradient(twoLayers.initialParameters)).toBeNull();
      cell.dispose();
    } finally {
      backend.dispose();
    }
  });

  it.each([
    ['ste-sigmoid', 1],
    ['arm', 1],
    ['slope-annealed-st', 2],
  ] as const)('%s, %i hidden layer(s): the CPU and GPU backends compute the same minibatch gradient from the same noise', async (id, layers) => {
    const estimator = builtInEstimators.get(id)!;
    const problem = problemWith({ layers, hidden: 24 });
    const gradients: Float64Array[] = [];
    for (const backendId of ['cpu', 'gpu']) {
      const backend = await builtInBackends.get(backendId)!({ threads: 2 });
      try {
        const cell = prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize: 1 });
        gradients.push((await cell.estimateMoments(problem.initialParameters, new Float64Array(0), 1, new Rng(9), 3)).mean);
        cell.dispose();
      } finally {
        backend.dispose();
      }
    }
    const [onCpu, onGpu] = gradients;
    const norm = (values: ArrayLike<number>) => Math.sqrt(Array.from(values).reduce((total, value) => total + value * value, 0));
    expect(norm(onCpu)).toBeGreaterThan(0);
    // A float32 rounding difference can move a logit across a sampled unit's threshold: allow a little.
    expect(norm(onGpu.map((value, index) => value - onCpu[index])) / norm(onCpu)).toBeLessThan(1e-3);
  });

  it('scores the same weights the same on both backends, to the bit: the evaluation runs on the host', async () => {
    const estimator = builtInEstimators.get('ste-sigmoid')!;
    const problem = problemWith({ hidden: 24 });
    const evaluations = [];
    for (const backendId of ['cpu', 'gpu']) {
      const backend = await builtInBackends.get(backendId)!({ threads: 2 });
      try {
        const cell = prepareCell(backend, { estimator, estimatorParams: {}, problem, batchSize: 1 });
        evaluations.push(await cell.evaluate(problem.initialParameters));
        cell.dispose();
      } finally {
        backend.dispose();
      }
    }
    expect(evaluations[0].metrics!.testAccuracy).toBeGreaterThan(0);
    expect(evaluations[1]).toEqual(evaluations[0]);
  });
});
