import { describe, expect, it } from 'vitest';
import { useCpuAndGpuBackends } from '../support/backends.js';
import { builtInEstimators } from '../../estimators/index.js';
import { prepareCell, type ReadyCell } from '../../harness/cell.js';
import { withDefaults } from '../../core/parameters.js';
import { Rng } from '../../core/rng.js';
import { trainLogits } from '../../harness/training.js';
import { MnistDigits, mnistClasses, mnistPixels } from '../../suites/mnist-data.js';
import { createMnistQuantizedMlpSuite } from '../../suites/mnist-quantized-mlp.js';
import { isStagedProblem } from '../../core/suite.js';

// One loader for the whole file: the digits are read once.
const digits = new MnistDigits();
const suite = createMnistQuantizedMlpSuite(digits);

function problemWith(overrides: Record<string, number> = {}) {
  const problem = suite.create(withDefaults(suite.params, overrides));
  if (!isStagedProblem(problem)) throw new Error('mnist-quantized-mlp is staged');
  return problem;
}

describe('MNIST digits', () => {
  it('returns the documented split: 8 000 training and 2 000 test digits, per class the last fifth as test', () => {
    const { train, test } = digits.load();
    expect(train.count).toBe(8000);
    expect(test.count).toBe(2000);
    expect(train.images).toHaveLength(8000 * mnistPixels);
    expect(test.images).toHaveLength(2000 * mnistPixels);
    const perClass = (labels: Uint8Array) => Array.from({ length: mnistClasses }, (_, digit) => labels.filter((label) => label === digit).length);
    const trainCounts = perClass(train.labels);
    const testCounts = perClass(test.labels);
    // The package's digits per class (0–9), and round(n/5) of each held out.
    const packageCounts = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
    packageCounts.forEach((total, digit) => {
      expect(testCounts[digit]).toBe(Math.round(total / 5));
      expect(trainCounts[digit] + testCounts[digit]).toBe(total);
    });
    let low = Infinity;
    let high = -Infinity;
    for (const pixel of train.images) {
      low = Math.min(low, pixel);
      high = Math.max(high, pixel);
    }
    expect([low, high]).toEqual([0, 1]);
    expect(digits.load()).toBe(digits.load());
  });
});

describe('mnist-quantized-mlp', () => {
  const backends = useCpuAndGpuBackends();

  it('has no reference gradient, refuses estimators that need objective values, and records nothing faked', async () => {
    const problem = problemWith();
    expect(problem.initialParameters).toHaveLength(784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10);
    expect(problem.unsupportedReason!(builtInEstimators.get('bengio-unbiased')!)).toMatch(/objective values/);
    const estimator = builtInEstimators.get('ste-clipped-relu')!;
    const cell = prepareCell(backends.cpu(), { estimator, estimatorParams: {}, problem, batchSize: 1 });
    try {
      expect(await cell.referenceGradient(problem.initialParameters)).toBeNull();
    } finally {
      cell.dispose();
    }
  });

  it('a tiny run (40 Adam steps, 1-bit activations) beats chance test accuracy by far', async () => {
    const problem = problemWith();
    const estimator = builtInEstimators.get('ste-clipped-relu')!;
    const prepared = prepareCell(backends.cpu(), { estimator, estimatorParams: {}, problem, batchSize: 1 });
    // Evaluate at the start and the end only: each evaluation reads all 10 000 digits.
    const cell: ReadyCell = { ...prepared, trainingDefaults: { ...prepared.trainingDefaults, curvePoints: 1 } };
    try {
      const result = await trainLogits(cell, estimator, { steps: 40, batchSize: 1, seeds: 1 }, [new Rng(4)]);
      const accuracy = result.trainingMetrics!.testAccuracy;
      expect(accuracy.curve.mean[0]).toBeLessThan(0.2);
      expect(accuracy.final).toBeGreaterThan(0.5);
      expect(result.finalLoss).toBeLessThan(result.lossCurve.loss[0]);
      expect(result.msPerTrainingStep).toBeGreaterThan(0);
    } finally {
      prepared.dispose();
    }
  });

  it('the GPU backend computes the same minibatch coarse gradient as the CPU backend (to float32 precision)', async () => {
    const problem = problemWith({ hidden: 32, bits: 2, batch: 50 });
    const estimator = builtInEstimators.get('ste-clipped-relu')!;
    const gradients: Float64Array[] = [];
    for (const backend of [backends.cpu(), backends.gpu()]) {
      const cell = prepareCell(backend, { estimator, estimatorParams: {}, problem, batchSize: 1 });
      try {
        gradients.push((await cell.estimateMoments(problem.initialParameters, new Float64Array(0), 1, new Rng(9), 0)).mean);
      } finally {
        cell.dispose();
      }
    }
    const [onCpu, onGpu] = gradients;
    const norm = (values: ArrayLike<number>) => Math.sqrt(Array.from(values).reduce((total, value) => total + value * value, 0));
    expect(norm(onCpu)).toBeGreaterThan(0);
    // A float32 rounding difference can move a pre-activation across a quantizer step: allow a little.
    expect(norm(onGpu.map((value, index) => value - onCpu[index])) / norm(onCpu)).toBeLessThan(1e-3);
  });
});
