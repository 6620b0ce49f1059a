import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../backends/cpu.js';
import { builtInEstimators } from '../../estimators/index.js';
import { resolveConfig } from '../../harness/config.js';
import { parseResults } from '../../harness/results-file.js';
import { runBenchmark } from '../../harness/runner.js';
import type { BenchResults, CellResult, Registries } from '../../core/types.js';
import { suiteVariants } from '../../reports/cells.js';
import { planCharts } from '../../reports/charts/index.js';
import { rankingLine } from '../../reports/ranking.js';
import { suiteVerdict } from '../../reports/verdict/verdict.js';
import { builtInSuites } from '../../suites/index.js';

const registries: Registries = {
  suites: builtInSuites,
  estimators: builtInEstimators,
  backends: new Map([['cpu', () => createCpuBackend({ threads: 1 })]]),
};

describe('scores are grouped and labelled by node kind', () => {
  let results: BenchResults;
  beforeAll(async () => {
    const config = resolveConfig(
      { suite: ['bernoulli-toy', 'categorical-toy'], estimator: ['gumbel-softmax', 'reinforce-loo', 'ste-sigmoid'], backend: 'cpu', samples: 400, steps: 0, timingIterations: 0 },
      registries,
    );
    results = await runBenchmark(config, registries);
  });

  it('records the node kind of every cell; a pair whose node kind the estimator lacks is left out, with its reason', () => {
    const kinds = new Map(results.cells.map((cell) => [`${cell.suite}/${cell.estimator}`, `${cell.state}:${cell.nodeKind}`]));
    expect(kinds.get('bernoulli-toy/gumbel-softmax')).toBe('completed:bernoulli');
    expect(kinds.get('categorical-toy/gumbel-softmax')).toBe('completed:categorical');
    expect(kinds.has('categorical-toy/ste-sigmoid')).toBe(false);
    expect(results.config.unsupportedPairs).toContainEqual({ suite: 'categorical-toy', estimator: 'ste-sigmoid', reason: expect.stringMatching(/not categorical/) });
  });

  it('records how every completed cell ran: both toy suites fused on the CPU', () => {
    const completed = results.cells.filter((cell) => cell.state === 'completed');
    expect(completed.length).toBeGreaterThan(3);
    expect(new Set(completed.map((cell) => cell.execution))).toEqual(new Set(['fused']));
  });

  it('titles every table, ranking and chart with its node kind', () => {
    const variants = suiteVariants(results);
    expect(variants.map((variant) => variant.title)).toEqual(['bernoulli-toy · Bernoulli nodes', 'categorical-toy · categorical nodes, K = 6']);
    const biasVariance = planCharts(results).find(({ definition }) => definition.id === 'bias-variance')!.specs;
    expect(biasVariance.map((spec) => [spec.file, spec.title])).toEqual([
      ['bias-variance-bernoulli-toy.png', 'Bias against variance: bernoulli-toy · Bernoulli nodes'],
      ['bias-variance-categorical-toy.png', 'Bias against variance: categorical-toy · categorical nodes, K = 6'],
    ]);
  });
});

describe('a suite whose setting changes the node kind', () => {
  /** The fixed bernoulli-toy run, relabelled as if half its cells had run on categorical nodes of another setting. */
  function mixedKinds(): BenchResults {
    const fixture = parseResults(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'results.json'), 'utf8'), 'fixture');
    const completed = fixture.cells.filter((cell) => cell.state === 'completed');
    const asKind = (cell: CellResult, kind: 'bernoulli' | 'categorical', factor: number): CellResult => (cell.state === 'completed'
      ? { ...cell, key: `${cell.key}-${kind}`, nodeKind: kind, metrics: { ...cell.metrics, bias: cell.metrics.bias! * factor } }
      : cell) as CellResult;
    return { ...fixture, cells: [...completed.map((cell) => asKind(cell, 'bernoulli', 1)), ...completed.map((cell) => asKind(cell, 'categorical', 1000))] };
  }

  it('gets one variant, one ranking and one chart per kind, never mixing their scores', () => {
    const results = mixedKinds();
    const variants = suiteVariants(results);
    expect(variants.map((variant) => [variant.slug, variant.nodeKind, variant.cells.length])).toEqual([
      ['bernoulli-toy-bernoulli', 'bernoulli', variants[0].cells.length],
      ['bernoulli-toy-categorical', 'categorical', variants[0].cells.length],
    ]);
    for (const variant of variants) expect(new Set(variant.cells.map((cell) => cell.nodeKind))).toEqual(new Set([variant.nodeKind]));
    const [bernoulliRanking, categoricalRanking] = variants.map((variant) => suiteVerdict(results, variant).rankings.flatMap(rankingLine).join('\n'));
    expect(bernoulliRanking).not.toEqual(categoricalRanking); // the categorical copies' biases are 1000 times larger
    const files = planCharts(results).find(({ definition }) => definition.id === 'bias-variance')!.specs.map((spec) => spec.file);
    expect(files).toEqual(['bias-variance-bernoulli-toy-bernoulli.png', 'bias-variance-bernoulli-toy-categorical.png']);
  });
});
