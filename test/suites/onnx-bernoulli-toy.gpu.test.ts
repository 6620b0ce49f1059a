import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { builtInBackends } from '../../backends/index.js';
import { builtInEstimators } from '../../estimators/index.js';
import { prepareCell } from '../../harness/cell.js';
import { withDefaults } from '../../core/parameters.js';
import { runBenchmark } from '../../harness/runner.js';
import { resolveConfig } from '../../harness/config.js';
import { gradientScores, type CellResult } from '../../core/types.js';
import { toyTarget, toyUnits } from '../fixtures/onnx/models.js';
import { sampleEstimator, toyProblem, unitsOutsideBand } from '../support/helpers.js';
import { fixture, onnxProblem, registries, sigmoid } from '../support/onnx-helpers.js';

/** bernoulli-toy's closed forms, derived by hand: dE/dθ_i = p_i (1 − p_i)(1 − 2t), E = Σ p_i (1 − t)² + (1 − p_i) t². */
function toyGradient(logits: ArrayLike<number>): number[] {
  return Array.from(logits, (theta) => sigmoid(theta) * (1 - sigmoid(theta)) * (1 - 2 * toyTarget));
}
function toyLoss(logits: ArrayLike<number>): number {
  return Array.from(logits).reduce((total, theta) => total + sigmoid(theta) * (1 - toyTarget) ** 2 + (1 - sigmoid(theta)) * toyTarget ** 2, 0);
}

describe('an ONNX model of bernoulli-toy\'s objective', () => {
  it('gives bernoulli-toy\'s exact gradient and loss by enumerating its 2^16 states', async () => {
    const backend = await builtInBackends.get('cpu')!({ threads: 2 });
    const estimator = builtInEstimators.get('bengio-unbiased')!;
    const cell = prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params), problem: onnxProblem(fixture('bernoulli-toy.onnx')), batchSize: 100 });
    try {
      for (const logits of [cell.initialParameters, Float64Array.from({ length: toyUnits }, (_, unit) => 3 * Math.sin(unit))]) {
        const reference = (await cell.referenceGradient(logits))!;
        expect(reference.kind).toBe('enumeration');
        // The model computes L in float32: agreement to ~1e-6 of the loss's size.
        const expected = toyGradient(logits);
        for (let unit = 0; unit < toyUnits; unit++) expect(Math.abs(reference.gradient[unit] - expected[unit])).toBeLessThan(2e-6);
        expect(Math.abs((await cell.evaluate(logits)).loss - toyLoss(logits))).toBeLessThan(1e-5);
      }
    } finally {
      cell.dispose();
      backend.dispose();
    }
  });
});

/** The estimators that run on Bernoulli units (the others are refused by node kind, as on bernoulli-toy). */
const bernoulliEstimators = [...builtInEstimators.values()].filter((estimator) => estimator.nodeKinds.includes('bernoulli'));

describeEachBackend('the ONNX bernoulli-toy', (backend, backendId) => {
  // Without a baseline a staged cell consumes exactly the fused cell's noise: the estimates must match.
  const withoutBaseline = bernoulliEstimators.filter((estimator) => !estimator.kernels.baselineWeight).map((estimator) => estimator.id);
  it.each(withoutBaseline)('%s: the same estimates as the fused bernoulli-toy, to float32 precision', async (id) => {
    const estimator = builtInEstimators.get(id)!;
    const fused = await sampleEstimator(backend(), estimator, toyProblem({ dim: toyUnits }), 3000, 21);
    const staged = await sampleEstimator(backend(), estimator, onnxProblem(fixture('bernoulli-toy-grad.onnx')), 3000, 21);
    // The model's L and dL/dh are float32 (h too, for relaxations); on the GPU a threshold can flip one sample.
    const tolerance = backendId === 'cpu' ? 1e-5 : 2e-3;
    for (let unit = 0; unit < toyUnits; unit++) {
      expect(Math.abs(staged.mean[unit] - fused.mean[unit])).toBeLessThan(tolerance * (1 + Math.abs(fused.mean[unit])));
      expect(Math.abs(staged.sumOfSquaredDeviations[unit] - fused.sumOfSquaredDeviations[unit])).toBeLessThan(tolerance * (3000 + fused.sumOfSquaredDeviations[unit]));
    }
  });

  const withBaseline = bernoulliEstimators.filter((estimator) => estimator.kernels.baselineWeight && estimator.claimsUnbiased).map((estimator) => estimator.id);
  it.each(withBaseline)('%s (pilot baseline inside the stages) is unbiased for the exact gradient', async (id) => {
    const problem = onnxProblem(fixture('bernoulli-toy.onnx'));
    const moments = await sampleEstimator(backend(), builtInEstimators.get(id)!, problem, 40_000, 3);
    expect(unitsOutsideBand(moments, toyGradient(problem.initialParameters), 5)).toEqual([]);
  });
});

describe('a run of bernoulli-toy and its ONNX model side by side', () => {
  const samples = 20_000;
  let cells: readonly CellResult[] = [];
  beforeAll(async () => {
    const config = resolveConfig(
      { suite: ['bernoulli-toy', 'onnx'], backend: 'cpu', samples, steps: 5, trainSeeds: 1, timingIterations: 0, seed: '5', set: `onnx.model=${fixture('bernoulli-toy-grad.onnx')}` },
      registries,
    );
    cells = (await runBenchmark(config, registries)).cells;
  });

  it.each(bernoulliEstimators.map((estimator) => estimator.id))('%s: the scores agree within standard errors', (id) => {
    const toy = cells.find((cell) => cell.suite === 'bernoulli-toy' && cell.estimator === id)!;
    const onnx = cells.find((cell) => cell.suite === 'onnx' && cell.estimator === id)!;
    expect([toy.state, onnx.state]).toEqual(['completed', 'completed']);
    const toyScores = toy.state === 'completed' ? gradientScores(toy.metrics) : undefined;
    const onnxScores = onnx.state === 'completed' ? gradientScores(onnx.metrics) : undefined;
    if (!toyScores || !onnxScores) throw new Error('both cells must have gradient scores');
    expect(onnxScores.referenceKind).toBe('enumeration');
    for (let unit = 0; unit < toyUnits; unit++) {
      expect(Math.abs(onnxScores.exactGradient[unit] - toyScores.exactGradient[unit])).toBeLessThan(2e-6);
      // Different noise streams (the suite id keys them): the means differ by sampling noise only.
      const standardError = Math.sqrt((onnxScores.varianceByUnit[unit] + toyScores.varianceByUnit[unit]) / samples);
      expect(Math.abs(onnxScores.meanGradient[unit] - toyScores.meanGradient[unit]), `unit ${unit}`).toBeLessThan(5 * standardError + 1e-9);
    }
    expect(Math.abs(onnxScores.bias - toyScores.bias)).toBeLessThan(5 * Math.hypot(onnxScores.biasStdErr, toyScores.biasStdErr));
  });
});
