import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { builtInBackends } from '../../backends/index.js';
import { builtInEstimators } from '../../estimators/index.js';
import { prepareCell } from '../../harness/cell.js';
import { withDefaults } from '../../core/parameters.js';
import { categoricalToy as categoricalToySuite, categoricalToyLogits } from '../../suites/categorical-toy.js';
import { isStagedProblem, type Problem } from '../../core/suite.js';
import { categoricalToy } from '../fixtures/onnx/models.js';
import { sampleEstimator, unitsOutsideBand } from '../support/helpers.js';
import { fixture, onnxProblem } from '../support/onnx-helpers.js';

const { units, classes, t } = categoricalToy;

/** categorical-toy's closed forms, derived here: πᵢ = softmax(θᵢ), cᵢ = t on class i mod K and (1 − t)/(K − 1) elsewhere. */
function closedForm(logits: ArrayLike<number>): { loss: number; gradient: number[] } {
  const gradient: number[] = [];
  let loss = 0;
  for (let unit = 0; unit < units; unit++) {
    const row = Array.from({ length: classes }, (_, k) => logits[unit * classes + k]);
    const exponentials = row.map((theta) => Math.exp(theta - Math.max(...row)));
    const pi = exponentials.map((value) => value / exponentials.reduce((total, x) => total + x, 0));
    const target = Array.from({ length: classes }, (_, k) => (k === unit % classes ? t : (1 - t) / (classes - 1)));
    const expectedTarget = pi.reduce((total, probability, k) => total + probability * target[k], 0);
    // E‖x − c‖² = 1 − 2 π·c + ‖c‖² for one-hot x; dE/dθₖ = −2 πₖ (cₖ − π·c).
    loss += 1 - 2 * expectedTarget + target.reduce((total, value) => total + value * value, 0);
    for (let k = 0; k < classes; k++) gradient.push(-2 * pi[k] * (target[k] - expectedTarget));
  }
  return { loss, gradient };
}

describe('an ONNX model of categorical-toy\'s objective ([batch, D, K] input)', () => {
  let directory: string;
  let logitsFile: string;
  const categoricalIds = [...builtInEstimators.values()].filter((estimator) => estimator.nodeKinds.includes('categorical')).map((estimator) => estimator.id);
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'estibench-categorical-'));
    logitsFile = join(directory, 'logits.json');
    writeFileSync(logitsFile, JSON.stringify(Array.from(categoricalToyLogits(units, classes))));
  });
  afterAll(() => {
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  const model = () => onnxProblem(fixture('categorical-toy-grad.onnx'), { logit: logitsFile });
  const twin = (): Problem => {
    const problem = categoricalToySuite.create(withDefaults(categoricalToySuite.params, { dim: units, classes, t }));
    if (isStagedProblem(problem)) throw new Error('categorical-toy is a kernel suite');
    return problem;
  };

  it('reads D and K from the model and enumerates the K^D states for the exact gradient and loss', async () => {
    const problem = model();
    expect(problem.nodeKind).toBe('categorical');
    expect(problem.recordedParams).toMatchObject({ units, classes, trainingLoss: 'enumeration' });
    const backend = await builtInBackends.get('cpu')!({ threads: 2 });
    const estimator = builtInEstimators.get('reinforce-loo')!;
    const cell = prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize: 10 });
    try {
      const logits = problem.initialParameters;
      const reference = (await cell.referenceGradient(logits))!;
      const exact = closedForm(logits);
      expect(reference.kind).toBe('enumeration');
      reference.gradient.forEach((value, index) => expect(Math.abs(value - exact.gradient[index])).toBeLessThan(1e-6));
      expect(Math.abs((await cell.evaluate(logits)).loss - exact.loss)).toBeLessThan(1e-5);
    } finally {
      cell.dispose();
      backend.dispose();
    }
  });

  it('above maxStates, scores against a Monte Carlo reference within its standard error of the exact gradient', async () => {
    const problem = onnxProblem(fixture('categorical-toy-grad.onnx'), { logit: logitsFile, maxStates: 10, referenceSamples: 4000, lossSamples: 20_000 });
    const backend = await builtInBackends.get('cpu')!({ threads: 2 });
    const estimator = builtInEstimators.get('reinforce-loo')!;
    const cell = prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize: 10 });
    try {
      const exact = closedForm(problem.initialParameters);
      const reference = (await cell.referenceGradient(problem.initialParameters))!;
      expect(reference.kind).toBe('monte-carlo');
      // The objective is separable, so each unit's local expectation is exact up to the model's float32 rounding.
      reference.gradient.forEach((value, index) => expect(Math.abs(value - exact.gradient[index]), `entry ${index}`).toBeLessThan(5 * reference.stdErr![index] + 1e-6));
      // E[L] from 20 000 draws: L ≤ 2D here, so its standard error is below 2D / √20 000.
      expect(Math.abs((await cell.evaluate(problem.initialParameters)).loss - exact.loss)).toBeLessThan(5 * (2 * units) / Math.sqrt(20_000));
    } finally {
      cell.dispose();
      backend.dispose();
    }
  });

  describeEachBackend('the ONNX categorical-toy', (backend, backendId) => {
    it.each(categoricalIds)('%s: the same estimates as the categorical-toy suite, to float32 precision', async (id) => {
      const estimator = builtInEstimators.get(id)!;
      const expected = await sampleEstimator(backend(), estimator, twin(), 2000, 31);
      const actual = await sampleEstimator(backend(), estimator, model(), 2000, 31);
      const tolerance = backendId === 'cpu' ? 1e-5 : 2e-3;
      for (let index = 0; index < units * classes; index++) {
        expect(Math.abs(actual.mean[index] - expected.mean[index])).toBeLessThan(tolerance * (1 + Math.abs(expected.mean[index])));
      }
    });
  }, { staged: true });

  it('an unbiased categorical estimator is unbiased for the enumerated gradient', async () => {
    const backend = await builtInBackends.get('cpu')!({ threads: 2 });
    try {
      const problem = model();
      const moments = await sampleEstimator(backend, builtInEstimators.get('reinforce-loo')!, problem, 20_000, 5);
      expect(unitsOutsideBand(moments, closedForm(problem.initialParameters).gradient, 5)).toEqual([]);
    } finally {
      backend.dispose();
    }
  });
});
