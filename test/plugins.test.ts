import { describe, expect, it } from 'vitest';
import { builtInBackends } from '../backends/index.js';
import { defineEstimator } from '../estimators/estimator.js';
import { builtInEstimators } from '../estimators/index.js';
import { resolveConfig } from '../harness/config.js';
import { withPlugins } from '../harness/plugins.js';
import { runBenchmark } from '../harness/runner.js';
import type { Registries } from '../harness/types.js';
import { builtInSuites } from '../suites/index.js';

/** Plain REINFORCE without a baseline: unbiased, defined here and nowhere in the harness. */
const reinforce = defineEstimator({
  id: 'reinforce-plain',
  title: 'REINFORCE without baseline',
  citation: 'Williams (1992)',
  family: 'score-function',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: true,
  params: {},
  noise: ['uniform'],
  evaluations: 1,
  needs: { objective: true, objectiveGradient: false },
  kernels: {
    forward: function reinforceForward(theta: number, p: number, u: number): number {
      return u < p ? 1 : 0;
    },
    gradient: function reinforceGradient(theta: number, p: number, u: number, v: number, h: number, dLdh: number, objective: number): number {
      return (h - p) * objective;
    },
  },
});

/** Produces NaN for every sample: its cell must fail alone. */
const producesNaN = defineEstimator({
  ...reinforce,
  id: 'produces-nan',
  claimsUnbiased: false,
  kernels: {
    forward: reinforce.kernels.forward,
    gradient: function nanGradient(theta: number, p: number, u: number): number {
      return Math.sqrt(-1 - u);
    },
  },
});

/** An arrow function is not a compilable kernel: preparing the cell throws. */
const malformed = defineEstimator({
  ...reinforce,
  id: 'malformed-kernel',
  kernels: { forward: (theta: number) => theta, gradient: reinforce.kernels.gradient },
});

const registries: Registries = withPlugins(
  { suites: builtInSuites, estimators: builtInEstimators, backends: builtInBackends },
  { estimators: [reinforce, producesNaN, malformed] },
  'test',
);

describe('estimator plug-ins', () => {
  it('runs an estimator defined outside the harness, and keeps failing cells from stopping the run', async () => {
    const config = resolveConfig(
      {
        estimator: ['malformed-kernel', 'produces-nan', 'reinforce-plain', 'ste-sigmoid'],
        backend: ['cpu', 'gpu'],
        samples: 40_000,
        steps: 5,
        timingIterations: 2,
        out: '/tmp/estibench-plugin-test',
      },
      registries,
    );
    const results = await runBenchmark(config, registries);
    const cell = (estimator: string, backend: string) => results.cells.find((c) => c.estimator === estimator && c.backend === backend)!;
    for (const backend of ['cpu', 'gpu']) {
      const plain = cell('reinforce-plain', backend);
      expect(plain.state, plain.state === 'completed' ? '' : plain.error).toBe('completed');
      if (plain.state !== 'completed') continue;
      // Unbiased: the bias is noise, within 4 of its standard errors.
      expect(plain.metrics.bias).toBeLessThan(4 * plain.metrics.biasStdErr!);
      const nan = cell('produces-nan', backend);
      expect(nan.state).toBe('errored');
      expect(nan.state === 'errored' && nan.error).toMatch(/NaN or Inf/);
      const bad = cell('malformed-kernel', backend);
      expect(bad.state).toBe('errored');
      expect(bad.state === 'errored' && bad.error).toMatch(/named `function/);
      expect(cell('ste-sigmoid', backend).state).toBe('completed');
    }
  });

  it('refuses a plug-in whose id is already taken', () => {
    expect(() => withPlugins(registries, { estimators: [reinforce] }, 'again')).toThrow(/already registered/);
  });
});
