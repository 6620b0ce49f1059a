import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInBackends } from '../../backends/index.js';
import { builtInEstimators } from '../../estimators/index.js';
import { configFingerprint } from '../../harness/cell-key.js';
import { resolveConfig, type RawBenchOptions } from '../../harness/config.js';
import { UsageError } from '../../core/errors.js';
import { gridPoints, plannedCount, planRun } from '../../harness/plan.js';
import { parseResults } from '../../harness/results-file.js';
import { expectedCost, parseShard, selectShard } from '../../harness/shards.js';
import type { Registries } from '../../core/types.js';
import { defineSuite } from '../../core/suite.js';
import { builtInSuites } from '../../suites/index.js';

/** A suite with a string parameter (as the ONNX suite's model path will be), here only to be planned. */
const withModel = defineSuite({
  id: 'model-file',
  title: 'a suite with a string parameter',
  description: 'for planner tests',
  nodeKind: 'bernoulli',
  params: {
    model: { type: 'string', description: 'path of a model file', default: 'models/a.onnx', check: (value) => (value.endsWith('.onnx') ? null : 'must end in .onnx') },
    dim: { description: 'units', default: 4, minimum: 1, integer: true },
  },
  create: () => { throw new Error('not run in these tests'); },
});

const registries: Registries = {
  suites: new Map([...builtInSuites, [withModel.id, withModel]]),
  estimators: builtInEstimators,
  backends: builtInBackends,
};
const resolve = (raw: RawBenchOptions) => resolveConfig({ suite: 'bernoulli-toy', out: '/tmp/estibench-planner', ...raw }, registries);

describe('parameter grids', () => {
  it('expands every combination, the first parameter varying slowest', () => {
    expect(gridPoints({ a: [1, 2], b: [3, 4, 5] })).toEqual([
      { a: 1, b: 3 }, { a: 1, b: 4 }, { a: 1, b: 5 }, { a: 2, b: 3 }, { a: 2, b: 4 }, { a: 2, b: 5 },
    ]);
    expect(gridPoints({})).toEqual([{}]);
  });

  it('reads lists, ranges and several settings in one flag', () => {
    const config = resolve({ set: ['gumbel-softmax.tau=0.1:1:4', 'dim=8,16,sigma=0.5,2'] });
    expect(config.estimatorParams['gumbel-softmax']).toEqual({ tau: [0.1, 0.4, 0.7, 1] });
    expect(config.suiteParams['bernoulli-toy']).toEqual({ dim: [8, 16], t: [0.45], power: [2] });
    expect(config.estimatorParams['additive-noise']).toEqual({ sigma: [0.5, 2] });
  });

  it('takes a string parameter verbatim, commas included, and checks it with the spec', () => {
    const config = resolve({ suite: 'model-file', set: 'model-file.model=path/with,comma.onnx' });
    expect(config.suiteParams['model-file']).toEqual({ model: ['path/with,comma.onnx'], dim: [4] });
    expect(() => resolve({ suite: 'model-file', set: 'model=net.pt' })).toThrow(/model: must end in .onnx/);
    expect(() => resolve({ suite: 'model-file', set: 'dim=x' })).toThrow(UsageError);
  });

  it('splits a choice parameter at commas into a grid, and checks each value against its choices', () => {
    const config = resolve({ suite: 'sequence-reward', set: ['kl=k1-reward,k3-loss', 'policy=autoregressive'] });
    expect(config.suiteParams['sequence-reward']).toMatchObject({ kl: ['k1-reward', 'k3-loss'], policy: ['autoregressive'] });
    expect(() => resolve({ suite: 'sequence-reward', set: 'kl=k1-reward,k2-loss' })).toThrow(/kl must be one of k1-reward, k3-loss, got k2-loss/);
  });

  it('plans one cell per suite setting x estimator setting x seed x backend, sweeps after, with labels naming what varies', () => {
    const config = resolve({ estimator: 'ste-sigmoid,gumbel-softmax', set: ['tau=0.25,0.5', 'dim=4,8'], seed: '1,2', backend: 'cpu,gpu', sweep: 'logit' });
    const plan = planRun(config);
    expect(plan).toHaveLength(plannedCount(config));
    expect(plan.filter((work) => work.kind === 'cell')).toHaveLength(2 * 3 * 2 * 2);
    expect(plan.filter((work) => work.kind === 'logit-sweep')).toHaveLength(3 * 2);
    expect(plan[0].label).toBe('bernoulli-toy dim=4 / ste-sigmoid / cpu / seed 1');
    expect(plan.map((work) => work.label)).toContain('bernoulli-toy dim=8 / gumbel-softmax tau=0.5 / gpu / seed 2');
    expect(plan.at(-1)!.label).toBe('logit sweep / gumbel-softmax tau=0.5 / gpu');
    expect(new Set(plan.map((work) => work.key)).size).toBe(plan.length);
  });
});

describe('cell keys', () => {
  it('depend on what determines the numbers only', () => {
    const base = resolve({ estimator: 'gumbel-softmax', steps: 0 });
    const keys = (raw: RawBenchOptions) => planRun(resolve({ estimator: 'gumbel-softmax', steps: 0, ...raw })).map((work) => work.key);
    expect(keys({})).toEqual(planRun(base).map((work) => work.key));
    // Not the output directory, the thread count, or training settings of a run that does not train.
    expect(keys({ out: '/elsewhere', threads: 1, learningRate: 0.5, trainSeeds: 7 })).toEqual(keys({}));
    for (const change of [{ samples: 3000 }, { seed: 2 }, { set: 'tau=0.7' }, { set: 'dim=8' }, { steps: 5 }, { timingIterations: 3 }, { batchSize: 100 }]) {
      expect(keys(change), JSON.stringify(change)).not.toEqual(keys({}));
    }
    expect(configFingerprint(resolve({ out: '/a', threads: 1 }))).toBe(configFingerprint(resolve({ out: '/b', threads: 2 })));
  });

  it('of a version 1 results.json are those the planner gives its configuration, so it reads, merges and compares like version 2', () => {
    const fixture = parseResults(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'results.json'), 'utf8'), 'fixture');
    const plan = planRun(fixture.config);
    // Version 1's training options equal to the defaults become unset, as version 2 writes them.
    expect(fixture.config.training).toEqual({ steps: 20, batchSize: 8192, seeds: 3 });
    expect(fixture.cells.map((cell) => cell.key)).toEqual(plan.filter((work) => work.kind === 'cell').map((work) => work.key));
    expect(fixture.sweeps?.logit?.series.map((series) => series.key)).toEqual(plan.filter((work) => work.kind === 'logit-sweep').map((work) => work.key));
    expect(fixture.scaling?.series.map((series) => series.key)).toEqual(plan.filter((work) => work.kind === 'scaling').map((work) => work.key));
  });
});

describe('shards', () => {
  it('parses i/n and refuses anything else', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard(undefined)).toBeUndefined();
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '1', '1/2/3']) expect(() => parseShard(bad), bad).toThrow(UsageError);
  });

  it('split the plan into disjoint parts that cover it, balanced by expected cost, the same on every machine', () => {
    const config = resolve({ set: ['dim=4,16,64,256', 'tau=0.25,0.5,1'], seed: '1,2,3', sweep: 'logit' });
    const plan = planRun(config);
    const cost = (work: (typeof plan)[number]) => expectedCost(work, config, registries);
    for (const count of [1, 3, 7]) {
      const shards = Array.from({ length: count }, (_, index) => selectShard(plan, { index: index + 1, count }, cost));
      const keys = shards.flatMap((shard) => shard.map((work) => work.key));
      expect(keys.sort()).toEqual(plan.map((work) => work.key).sort());
      // Longest-processing-time-first keeps every shard within one largest cell of the others.
      const loads = shards.map((shard) => shard.reduce((total, work) => total + cost(work), 0));
      expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(Math.max(...plan.map(cost)));
      // Each shard keeps plan order, and computing it again gives the same shard.
      for (const [index, shard] of shards.entries()) {
        expect(shard.map((work) => plan.indexOf(work))).toEqual([...shard.map((work) => plan.indexOf(work))].sort((a, b) => a - b));
        expect(selectShard(planRun(config), { index: index + 1, count }, cost).map((work) => work.key)).toEqual(shard.map((work) => work.key));
      }
    }
  });
});
