import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComputeBackend } from '../../core/backend.js';
import { builtInBackends } from '../../backends/index.js';
import { builtInEstimators } from '../../estimators/index.js';
import { prepareCell } from '../../harness/cell.js';
import { withDefaults } from '../../core/parameters.js';
import { twoLayer } from '../fixtures/onnx/models.js';
import { sampleEstimator, unitsOutsideBand } from '../support/helpers.js';
import { enumerateExactly, fixture, onnxProblem } from '../support/onnx-helpers.js';

const { units, hidden, weights, bias, readout } = twoLayer;

/** The fixture's objective in float64, written here from its weights: L(h) = v · tanh(W h + c). */
function hiddenLayer(h: readonly number[]): number[] {
  return Array.from({ length: hidden }, (_, j) => Math.tanh(bias[j] + h.reduce((total, value, i) => total + weights[j * units + i] * value, 0)));
}
function objective(h: readonly number[]): number {
  return hiddenLayer(h).reduce((total, z, j) => total + readout[j] * z, 0);
}
/** dL/dh_i = Σ_j v_j (1 − z_j²) W_ji. */
function objectiveGradient(h: readonly number[], unit: number): number {
  return hiddenLayer(h).reduce((total, z, j) => total + readout[j] * (1 - z * z) * weights[j * units + unit], 0);
}

describe('a non-separable ONNX objective (two-layer network with grad)', () => {
  let backend: ComputeBackend;
  beforeAll(async () => {
    backend = await builtInBackends.get('cpu')!({ threads: 2 });
  });
  afterAll(() => backend?.dispose());

  const problem = onnxProblem(fixture('two-layer.onnx'));
  const logits = problem.initialParameters;
  const exact = enumerateExactly(logits, objective);

  it('has the exact gradient and loss of the network, enumerated', async () => {
    const estimator = builtInEstimators.get('bengio-unbiased')!;
    const cell = prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize: 10 });
    try {
      const reference = (await cell.referenceGradient(logits))!;
      expect(reference.kind).toBe('enumeration');
      for (let unit = 0; unit < units; unit++) expect(Math.abs(reference.gradient[unit] - exact.gradient[unit])).toBeLessThan(1e-5);
      expect(Math.abs((await cell.evaluate(logits)).loss - exact.loss)).toBeLessThan(1e-5);
    } finally {
      cell.dispose();
    }
  });

  it('bengio-unbiased is unbiased for it', async () => {
    const moments = await sampleEstimator(backend, builtInEstimators.get('bengio-unbiased')!, problem, 40_000, 8);
    expect(unitsOutsideBand(moments, exact.gradient, 5)).toEqual([]);
  });

  it('ste-identity reads the model\'s grad output: its mean is E[dL/dh]', async () => {
    // ste-identity's estimate is dL/dh at the sampled b, so its expectation is E[dL/dh], enumerated here.
    const expected = Array.from({ length: units }, (_, unit) => enumerateExactly(logits, (b) => objectiveGradient(b, unit)).loss);
    const moments = await sampleEstimator(backend, builtInEstimators.get('ste-identity')!, problem, 20_000, 9);
    expect(unitsOutsideBand(moments, expected, 5)).toEqual([]);
  });

  it('above maxStates, scores against a Monte Carlo reference labelled as such, within its standard error of the exact gradient', async () => {
    const sampled = onnxProblem(fixture('two-layer.onnx'), { maxStates: 512, referenceSamples: 4000, lossSamples: 20_000 });
    expect(sampled.recordedParams).toMatchObject({ trainingLoss: 'monte-carlo (20000 samples)' });
    const estimator = builtInEstimators.get('bengio-unbiased')!;
    const cell = prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params), problem: sampled, batchSize: 10 });
    try {
      const reference = (await cell.referenceGradient(logits))!;
      expect(reference.kind).toBe('monte-carlo');
      const stdErr = reference.stdErr!;
      for (let unit = 0; unit < units; unit++) {
        expect(stdErr[unit]).toBeGreaterThan(0);
        expect(Math.abs(reference.gradient[unit] - exact.gradient[unit]), `unit ${unit}`).toBeLessThan(5 * stdErr[unit]);
      }
      // The training loss is a mean of 20 000 draws: within 5 of its standard errors (Var L enumerated here).
      const variance = enumerateExactly(logits, (b) => (objective(b) - exact.loss) ** 2).loss;
      expect(Math.abs((await cell.evaluate(logits)).loss - exact.loss)).toBeLessThan(5 * Math.sqrt(variance / 20_000));
    } finally {
      cell.dispose();
    }
  });
});
