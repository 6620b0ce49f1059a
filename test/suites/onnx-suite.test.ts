import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComputeBackend } from '../../core/backend.js';
import { builtInBackends } from '../../backends/index.js';
import { builtInEstimators } from '../../estimators/index.js';
import { prepareCell } from '../../harness/cell.js';
import { resolveConfig } from '../../harness/config.js';
import { withDefaults } from '../../core/parameters.js';
import { withPlugins } from '../../harness/plugins.js';
import { Rng } from '../../core/rng.js';
import { runBenchmark } from '../../harness/runner.js';
import { scoreAtLogits } from '../../harness/sampling.js';
import { trainLogits } from '../../harness/training.js';
import { gradientScores, type CellResult } from '../../core/types.js';
import { openOrtObjective, type OpenObjective } from '../../suites/onnx/objective-session.js';
import { createOnnxProblem, type OnnxSettings } from '../../suites/onnx/problem.js';
import { onnxSuite } from '../../suites/onnx/suite.js';
import { defineSuite } from '../../core/suite.js';
import { sampleEstimator } from '../support/helpers.js';
import { fixture, onnxProblem, registries } from '../support/onnx-helpers.js';

/** Each bad model, and the one line its cells must fail with. */
const badModels: Array<[string, string, RegExp]> = [
  ['missing', 'no-such-model.onnx', /^model file '.*no-such-model\.onnx' not found/],
  ['not-onnx', 'broken-not-onnx.onnx', /^model '.*broken-not-onnx\.onnx' is not an ONNX file/],
  ['input-name', 'broken-input-name.onnx', /has no input named h \(its inputs: x\); name the node's input h/],
  ['output-name', 'broken-output-name.onnx', /has no output named loss \(its outputs: out\); name the objective's output loss/],
  ['loss-shape', 'broken-loss-shape.onnx', /output loss must have shape \[batch\] .*got \[batch, 1\]/],
  ['loss-shape-at-run', 'broken-loss-shape-at-run.onnx', /output loss has shape \[\d+, 1\] for h of \d+ rows; it must be \[batch\]/],
  ['dtype', 'broken-dtype.onnx', /input h must be float32, got float64/],
  ['dynamic-units', 'broken-dynamic-units.onnx', /input h has shape \[batch, units\], whose D axis \(1\) is not a fixed size/],
  ['nan', 'broken-nan.onnx', /returned loss = NaN for h = \[0, 0, 0, 0\]; the objective must be finite/],
];

function cellsOf(cells: readonly CellResult[], suite: string): CellResult[] {
  return cells.filter((cell) => cell.suite === suite);
}

describe('the onnx suite in a run', () => {
  // One run: bernoulli-toy, a good model, a model without grad, no model, a categorical model and
  // every bad model, each bad one registered as a suite of its own so that they share the run.
  const copies = badModels.map(([name]) => defineSuite({ ...onnxSuite, id: `onnx-${name}` }));
  const extra = ['no-grad', 'none', 'categorical'].map((name) => defineSuite({ ...onnxSuite, id: `onnx-${name}` }));
  const withCopies = withPlugins(registries, { suites: [...copies, ...extra] }, 'test');
  let cells: readonly CellResult[] = [];

  beforeAll(async () => {
    const models: Record<string, string> = {
      onnx: fixture('bernoulli-toy-grad.onnx'),
      ...Object.fromEntries(badModels.map(([name, file]) => [`onnx-${name}`, fixture(file)])),
      'onnx-no-grad': fixture('bernoulli-toy.onnx'), 'onnx-categorical': fixture('categorical-toy-grad.onnx'),
    };
    const config = resolveConfig({
      suite: ['bernoulli-toy', 'onnx', ...[...copies, ...extra].map((suite) => suite.id)],
      estimator: 'bengio-unbiased,ste-identity', backend: 'cpu', samples: 2000, steps: 2, trainSeeds: 1, timingIterations: 0,
      set: Object.entries(models).map(([id, model]) => `${id}.model=${model}`),
    }, withCopies);
    cells = (await runBenchmark(config, withCopies)).cells;
  });

  it('runs the good model and bernoulli-toy to completion beside the bad models', () => {
    for (const suite of ['bernoulli-toy', 'onnx']) {
      expect(cellsOf(cells, suite).map((cell) => [cell.estimator, cell.state, 'error' in cell ? cell.error : ''])).toEqual([
        ['bengio-unbiased', 'completed', ''], ['ste-identity', 'completed', ''],
      ]);
    }
  });

  it('records the model file\'s SHA-256, the units, the starting logits and the provider with every cell', () => {
    const sha256 = createHash('sha256').update(readFileSync(fixture('bernoulli-toy-grad.onnx'))).digest('hex');
    for (const cell of cellsOf(cells, 'onnx')) {
      expect(cell.suiteParams).toMatchObject({ model: fixture('bernoulli-toy-grad.onnx') });
      expect(cell.problemParams).toMatchObject({ modelSha256: sha256, units: 16, providerUsed: 'cpu', trainingLoss: 'enumeration' });
      expect(cell.problemParams?.logits).toHaveLength(16);
      if (cell.state === 'completed') expect(gradientScores(cell.metrics)?.referenceKind).toBe('enumeration');
    }
  });

  it.each(badModels)('a bad model (%s) fails its own cells with one line saying what is wrong', (name, _file, message) => {
    const own = cellsOf(cells, `onnx-${name}`);
    expect(own.length).toBeGreaterThan(0);
    for (const cell of own) {
      // A model without grad is refused for ste-identity before it runs; every other cell fails with the model's problem.
      if (cell.state === 'unsupported') {
        expect(cell.estimator).toBe('ste-identity');
        continue;
      }
      expect(cell.state).toBe('errored');
      const error = 'error' in cell ? cell.error : '';
      expect(error).toMatch(message);
      expect(error.split('\n')).toHaveLength(1);
    }
  });

  it('refuses estimators that need dL/dh on a model without grad, saying how to add it, and runs the others', () => {
    const own = cellsOf(cells, 'onnx-no-grad');
    expect(own.find((cell) => cell.estimator === 'bengio-unbiased')?.state).toBe('completed');
    const refused = own.find((cell) => cell.estimator === 'ste-identity')!;
    expect(refused.state).toBe('unsupported');
    expect('error' in refused && refused.error).toMatch(/ste-identity needs dL\/dh and model '.*bernoulli-toy\.onnx' has no output grad; .*examples\/onnx\/export_objective\.py adds it with autograd/);
  });

  it('without a model, every cell is unsupported with a reason that says how to give one', () => {
    for (const cell of cellsOf(cells, 'onnx-none')) {
      expect(cell.state).toBe('unsupported');
      expect('error' in cell && cell.error).toMatch(/no ONNX model given: set onnx\.model/);
    }
  });

  it('a categorical model ([batch, D, K]) refuses the estimators that have no categorical kernels', () => {
    for (const cell of cellsOf(cells, 'onnx-categorical')) {
      expect(cell.state).toBe('unsupported');
      expect('error' in cell && cell.error).toMatch(/supports bernoulli(, deterministic)? nodes, not categorical/);
      expect(cell.problemParams).toMatchObject({ units: 4, classes: 3 });
    }
  });
});

describe('onnx sessions, providers and starting logits', () => {
  let backend: ComputeBackend;
  beforeAll(async () => {
    backend = await builtInBackends.get('cpu')!({ threads: 2 });
  });
  afterAll(() => backend?.dispose());

  const settings = (model: string, overrides: Partial<OnnxSettings> = {}): OnnxSettings => ({
    ...(withDefaults(onnxSuite.params) as unknown as OnnxSettings), model: fixture(model), ...overrides,
  });

  it('opens one session per cell, whatever the cell does, and releases it with the cell', async () => {
    const log: string[] = [];
    const counting: OpenObjective = async (contract, provider) => {
      const objective = await openOrtObjective(contract, provider);
      log.push('open');
      return { evaluate: (h, rows, wantGradient) => objective.evaluate(h, rows, wantGradient), release: async () => { log.push('release'); await objective.release(); } };
    };
    const estimator = builtInEstimators.get('bengio-unbiased')!;
    for (let cellIndex = 0; cellIndex < 2; cellIndex++) {
      const problem = createOnnxProblem(settings('two-layer.onnx'), counting);
      const cell = prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize: 1000 });
      await scoreAtLogits({ cell, estimator, logits: cell.initialParameters, samples: 2000, batchSize: 1000, rng: new Rng(1) });
      await trainLogits(cell, estimator, { steps: 3, batchSize: 1000, seeds: 1 }, [new Rng(2)]);
      cell.dispose();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(log).toEqual(['open', 'release', 'open', 'release']);
  });

  it('tries the requested execution provider and records the fallback to cpu with its reason', () => {
    const problem = onnxProblem(fixture('bernoulli-toy-grad.onnx'), { provider: 'cuda' });
    const { providerUsed, providerFallback } = problem.recordedParams ?? {};
    // This package skips the CUDA provider's download (.npmrc), so cuda falls back unless the machine supplies it.
    if (providerUsed === 'cuda') expect(providerFallback).toBeUndefined();
    else expect({ providerUsed, providerFallback }).toMatchObject({ providerUsed: 'cpu', providerFallback: expect.stringMatching(/^cuda: \S/) });
  });

  it('rejects an unknown provider or node kind when the parameters are checked', () => {
    expect(onnxSuite.params.provider.type === 'string' && onnxSuite.params.provider.check?.('tpu')).toMatch(/must be one of cpu, cuda, webgpu, got 'tpu'/);
    expect(onnxSuite.params.node.type === 'string' && onnxSuite.params.node.check?.('gaussian')).toMatch(/must be one of auto, bernoulli, categorical/);
  });

  it('starts from linspace, a constant, or a file of logits, and fails the cells on a file of the wrong length', () => {
    const directory = mkdtempSync(join(tmpdir(), 'estibench-logits-'));
    const json = join(directory, 'logits.json');
    const text = join(directory, 'logits.txt');
    writeFileSync(json, JSON.stringify(Array.from({ length: 16 }, (_, index) => index / 10)));
    writeFileSync(text, Array.from({ length: 16 }, (_, index) => 1 - index).join('\n'));
    const model = fixture('bernoulli-toy.onnx');
    expect(Array.from(onnxProblem(model).initialParameters)).toEqual(Array.from({ length: 16 }, (_, index) => -2 + (4 * index) / 15));
    expect(Array.from(onnxProblem(model, { logit: '0.5' }).initialParameters)).toEqual(new Array(16).fill(0.5));
    expect(Array.from(onnxProblem(model, { logit: json }).initialParameters)).toEqual(Array.from({ length: 16 }, (_, index) => index / 10));
    expect(Array.from(onnxProblem(model, { logit: text }).initialParameters)).toEqual(Array.from({ length: 16 }, (_, index) => 1 - index));
    writeFileSync(text, '1 2 3');
    const estimator = builtInEstimators.get('bengio-unbiased')!;
    const wrongLength = onnxProblem(model, { logit: text });
    expect(() => prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params), problem: wrongLength, batchSize: 10 }))
      .toThrow(/logits file '.*logits\.txt' must hold 16 finite numbers \(one per element of h\), found 3/);
  });

  it('feeds a model with a fixed batch axis in padded batches of that size, with the same numbers as a dynamic one', async () => {
    const estimator = builtInEstimators.get('ste-sigmoid')!;
    const fixed = await sampleEstimator(backend, estimator, onnxProblem(fixture('bernoulli-toy-batch5.onnx')), 503, 4);
    const dynamic = await sampleEstimator(backend, estimator, onnxProblem(fixture('bernoulli-toy-grad.onnx')), 503, 4);
    expect(Array.from(fixed.mean)).toEqual(Array.from(dynamic.mean));
  });
});
