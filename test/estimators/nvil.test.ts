import { describe, expect, it } from 'vitest';
import { toyProblem } from '../support/helpers.js';
import { withDefaults } from '../../core/parameters.js';
import { Rng } from '../../core/rng.js';
import { nvil } from '../../estimators/nvil.js';
import { baselineRegression } from '../../estimators/nvil-baseline-network.js';
import { centralDifferences } from '../support/central-differences.js';
import { prepareCell } from '../../harness/cell.js';
import { trainLogits } from '../../harness/training.js';
import { createCpuBackend } from '../../backends/cpu.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Mean and variance of f(b) = Σ (bᵢ − t)² for independent bᵢ ~ Bernoulli(σ(θᵢ)), written out here. */
function objectiveMoments(logits: Float64Array, t: number): { mean: number; variance: number } {
  let mean = 0;
  let variance = 0;
  for (const theta of logits) {
    const p = sigmoid(theta);
    const atOne = (1 - t) ** 2;
    const atZero = t ** 2;
    mean += p * atOne + (1 - p) * atZero;
    variance += p * (1 - p) * (atOne - atZero) ** 2;
  }
  return { mean, variance };
}

describe('nvil state on bernoulli-toy (CPU)', () => {
  it('learns the baseline E[f] and the signal variance Var[f] from the step samples, and scales by max(1, its square root)', async () => {
    const cpu = await createCpuBackend({ threads: 1 });
    // t = 3: Var[f] ≈ 57, so the normaliser is well above 1.
    const problem = toyProblem({ t: 3 });
    const cell = prepareCell(cpu, { estimator: nvil, estimatorParams: withDefaults(nvil.params, {}), problem, batchSize: 4096 });
    try {
      expect(cell.estimatorState.current()).toMatchObject({ learnedBaseline: 0, objectiveVariance: 0, signalVariance: 0, signalScale: 1, baselineWeightsNorm: expect.any(Number) });
      // Learning rate 0: the logits stay at their start, where the moments are known exactly.
      await trainLogits(cell, nvil, { steps: 200, batchSize: 4096, seeds: 1, samplesPerStep: 256, learningRate: 0, optimizer: 'sgd' }, [new Rng(4)]);
      const state = cell.estimatorState.current();
      const exact = objectiveMoments(problem.initialLogits, 3);
      // The baseline averages the last ~20 steps' means (rate 0.1) of 256 samples each: standard error
      // about √(Var f · 0.1 / 1.9 / 256); the running variance averages ~5 steps' sample variances.
      const baselineError = Math.sqrt((exact.variance * 0.1) / 1.9 / 256);
      expect(Math.abs(state.learnedBaseline - exact.mean)).toBeLessThan(5 * baselineError);
      // Every row of a toy has the same logits, so c(x) is one number per step: the learning signal's
      // variance is the objective's, which both running averages find.
      for (const variance of [state.objectiveVariance, state.signalVariance]) {
        expect(variance / exact.variance).toBeGreaterThan(0.8);
        expect(variance / exact.variance).toBeLessThan(1.2);
      }
      expect(state.signalScale).toBe(Math.sqrt(state.signalVariance));
    } finally {
      cell.dispose();
      cpu.dispose();
    }
  });

  it('keeps the scale at 1 with normalise = 0, and the baseline fixed with baselineRate = 0', async () => {
    const cpu = await createCpuBackend({ threads: 1 });
    const problem = toyProblem({ t: 3 });
    const cell = prepareCell(cpu, { estimator: nvil, estimatorParams: withDefaults(nvil.params, { normalise: 0, baselineRate: 0, initialBaseline: 2 }), problem, batchSize: 4096 });
    try {
      await trainLogits(cell, nvil, { steps: 20, batchSize: 4096, seeds: 1, samplesPerStep: 64, learningRate: 0.01 }, [new Rng(4)]);
      const state = cell.estimatorState.current();
      expect(state.learnedBaseline).toBe(2);
      expect(state.signalScale).toBe(1);
      expect(state.signalVariance).toBeGreaterThan(1);
    } finally {
      cell.dispose();
      cpu.dispose();
    }
  });
});

describe('nvil\'s input-dependent baseline network', () => {
  it('steps down the gradient of its regression loss ½ mean (r(x̂) − standardised L)², by central differences through the host term', () => {
    const rows = 5;
    const width = 3;
    const params = withDefaults(nvil.params, { hidden: 4 });
    const rng = new Rng(12);
    const logits = Float64Array.from({ length: rows * width }, () => 2 * rng.nextNormal());
    const objectives = Float64Array.from({ length: rows }, () => 100 + 10 * rng.nextNormal());
    const arrays = nvil.state!.arrays!.init(params, { nodeKind: 'bernoulli', dim: width });
    // Output weights away from zero (they start at zero), and inputs standardised by a mean and variance of their own.
    arrays.baselineWeights = arrays.baselineWeights.map(() => 0.5 * rng.nextNormal());
    arrays.inputMean = Float64Array.from([0.3, -0.2, 0.1]);
    arrays.inputVariance = Float64Array.from([2, 0.5, 1.5]);
    // c₀ = 0 and s₀ = 1: the host term is r(x̂) itself.
    const state = { learnedBaseline: 0, objectiveVariance: 0, signalVariance: 0, signalScale: 1 };
    const batchWith = (weights: Float64Array) => ({
      rows, width, evaluations: 1, logits, probabilities: logits.map((theta) => 1 / (1 + Math.exp(-theta))), noiseU: null, noiseV: null, noiseWidth: width,
      h: new Float64Array(rows * width), step: 1, params, state, arrays: { ...arrays, baselineWeights: weights },
    });
    // The target written out: each row's L standardised over the rows (population deviation).
    const meanObjective = objectives.reduce((total, value) => total + value, 0) / rows;
    const deviation = Math.sqrt(objectives.reduce((total, value) => total + (value - meanObjective) ** 2, 0) / rows);
    const loss = (weights: Float64Array) => {
      const predictions = nvil.hostTerms!.compute(batchWith(weights)).row.rowBaseline;
      return predictions.reduce((total, prediction, row) => total + 0.5 * (prediction - (objectives[row] - meanObjective) / deviation) ** 2, 0) / rows;
    };
    const samples = [{ ...batchWith(arrays.baselineWeights), estimates: new Float64Array(rows * width), objectives }];
    const { weightGradient } = baselineRegression(samples, params, arrays);
    centralDifferences(loss, arrays.baselineWeights, 1e-6).forEach((difference, entry) => {
      expect(Math.abs(weightGradient[entry] - difference), `weight ${entry}`).toBeLessThan(1e-6 * (1 + Math.abs(difference)));
    });
  });
});
