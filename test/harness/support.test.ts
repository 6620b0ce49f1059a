import { describe, expect, it } from 'vitest';
import { builtInBackends } from '../../backends/index.js';
import { builtInEstimators } from '../../estimators/index.js';
import { resolveConfig } from '../../harness/config.js';
import { plannedCount, planRun } from '../../harness/plan.js';
import { leftOutLine, unsupportedPairLines, unsupportedPairs } from '../../harness/support.js';
import { UsageError } from '../../core/errors.js';
import { defineSuite } from '../../core/suite.js';
import type { Registries } from '../../core/types.js';
import { builtInSuites } from '../../suites/index.js';

/** A suite that refuses estimators reading no dL/dh, whatever their parameters (as a network does). */
const gradientOnly = defineSuite({
  id: 'gradient-only',
  title: 'needs dL/dh',
  description: 'for support tests',
  nodeKind: 'bernoulli',
  params: { dim: { description: 'units', default: 4, minimum: 1, integer: true } },
  unsupportedReason: (estimator) => (estimator.needs.objectiveGradient ? null : `${estimator.id} reads no dL/dh`),
  create: () => { throw new Error('not run in these tests'); },
});

const registries: Registries = { suites: new Map([...builtInSuites, [gradientOnly.id, gradientOnly]]), estimators: builtInEstimators, backends: builtInBackends };
const out = '/tmp/estibench-support-test';

describe('unsupported estimator x suite pairs', () => {
  it('are the pairs whose node kind the estimator does not define, and those a suite refuses from the definitions', () => {
    const estimators = [...builtInEstimators.keys()];
    const pairs = unsupportedPairs(['categorical-toy', 'gradient-only'], estimators, {}, registries);
    const expected = [
      // Derived independently of the code under test: node kinds from each definition, dL/dh from its needs.
      ...estimators.filter((id) => !builtInEstimators.get(id)!.nodeKinds.includes('categorical')).map((estimator) => ['categorical-toy', estimator]),
      ...estimators.filter((id) => {
        const estimator = builtInEstimators.get(id)!;
        return !estimator.nodeKinds.includes('bernoulli') || !estimator.needs.objectiveGradient;
      }).map((estimator) => ['gradient-only', estimator]),
    ];
    expect(pairs.map((pair) => [pair.suite, pair.estimator])).toEqual(expected);
    expect(expected.length).toBeGreaterThan(2);
    expect(pairs.find((pair) => pair.suite === 'gradient-only' && builtInEstimators.get(pair.estimator)!.nodeKinds.includes('bernoulli'))?.reason).toMatch(/reads no dL\/dh/);
  });

  it('are left out of the plan, recorded in the configuration, and counted in one line', () => {
    const config = resolveConfig({ suite: 'bernoulli-toy,categorical-toy', backend: 'cpu', out }, registries);
    const plan = planRun(config);
    expect(plan).toHaveLength(plannedCount(config));
    const runs = (suite: string, estimator: string) => builtInEstimators.get(estimator)!.nodeKinds.includes(builtInSuites.get(suite)!.nodeKind);
    expect(plan.every((work) => runs(work.suite, work.estimator))).toBe(true);
    const expectedCells = ['bernoulli-toy', 'categorical-toy'].reduce((total, suite) => total + [...builtInEstimators.keys()].filter((id) => runs(suite, id)).length, 0);
    expect(plan).toHaveLength(expectedCells);
    const leftOut = config.unsupportedPairs ?? [];
    expect(leftOut.length + expectedCells).toBe(2 * builtInEstimators.size);
    expect(leftOutLine(leftOut)).toBe(`left out ${leftOut.length} unsupported estimator × suite pairs (see --list-unsupported, or config.unsupportedPairs in results.json)`);
    expect(unsupportedPairLines(leftOut)[0]).toMatch(/^(bernoulli-toy|categorical-toy) \/ [a-z-]+: .*supports .* nodes, not /);
    expect(leftOutLine([])).toBeNull();
  });

  it('leave sweep series of an unsupported estimator out too', () => {
    const config = resolveConfig({ suite: 'categorical-toy', estimator: 'st-gumbel-softmax,ste-identity', backend: 'cpu', sweep: 'logit', out }, registries);
    const plan = planRun(config);
    // The logit sweep runs on bernoulli-toy: only the estimators defined on Bernoulli nodes get a series.
    const series = plan.filter((work) => work.kind === 'logit-sweep').map((work) => work.estimator);
    expect(series).toEqual(['st-gumbel-softmax', 'ste-identity'].filter((id) => builtInEstimators.get(id)!.nodeKinds.includes('bernoulli')));
    expect(plan).toHaveLength(plannedCount(config));
  });

  it('refuse a selection in which nothing can run, in one line', () => {
    const onlyBernoulli = [...builtInEstimators.values()].find((estimator) => !estimator.nodeKinds.includes('categorical'))!;
    expect(() => resolveConfig({ suite: 'categorical-toy', estimator: onlyBernoulli.id, out }, registries)).toThrow(UsageError);
    expect(() => resolveConfig({ suite: 'categorical-toy', estimator: onlyBernoulli.id, out }, registries)).toThrow(/^nothing to run: no selected estimator can run on a selected suite \(categorical-toy \//);
  });

  it('keep planning every pair of a configuration from before pairs were left out', () => {
    const config = resolveConfig({ suite: 'categorical-toy', backend: 'cpu', out }, registries);
    const { unsupportedPairs: _pairs, ...older } = config;
    expect(planRun(older)).toHaveLength(builtInEstimators.size);
    expect(plannedCount(older)).toBe(builtInEstimators.size);
  });
});
