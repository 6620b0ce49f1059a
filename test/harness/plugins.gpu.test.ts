import { describe, expect, it } from 'vitest';
import { builtInBackends } from '../../backends/index.js';
import { defineEstimator } from '../../core/estimator.js';
import { builtInEstimators } from '../../estimators/index.js';
import { resolveConfig } from '../../harness/config.js';
import { UsageError } from '../../core/errors.js';
import { withPlugins } from '../../harness/plugins.js';
import { runBenchmark } from '../../harness/runner.js';
import type { Registries } from '../../core/types.js';
import { builtInSuites } from '../../suites/index.js';

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

/** Kernels whose Math call is outside its domain for a constant argument: GPU compilers fold these to 0 unless checked. */
const outsideDomain = [
  ['sqrt-of-minus-one', function sqrtOfMinusOne(): number { return Math.sqrt(-1); }],
  ['log-of-zero', function logOfZero(): number { return Math.log(0); }],
  ['acos-of-two', function acosOfTwo(): number { return Math.acos(2); }],
] as const;
const outsideDomainEstimators = outsideDomain.map(([id, gradient]) => defineEstimator({
  ...reinforce, id, claimsUnbiased: false, kernels: { forward: reinforce.kernels.forward, gradient },
}));

/** Its gradient is 0 before training step 3 and 1 from then on: only a kernel that sees the step can do that. */
const stepAware = defineEstimator({
  ...reinforce,
  id: 'step-aware',
  claimsUnbiased: false,
  needs: { objective: false, objectiveGradient: false },
  kernels: {
    forward: reinforce.kernels.forward,
    gradient: function stepAwareGradient(step: number): number {
      return step < 3 ? 0 : 1;
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
  { estimators: [reinforce, producesNaN, malformed, stepAware, ...outsideDomainEstimators] },
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

  it('fails a cell whose kernel leaves the domain of sqrt, log or acos, on every backend (not a silent 0 on the GPU)', async () => {
    const config = resolveConfig(
      { suite: 'bernoulli-toy', estimator: outsideDomain.map(([id]) => id), backend: ['cpu', 'gpu'], samples: 2000, steps: 0, timingIterations: 0, out: '/tmp/estibench-plugin-test' },
      registries,
    );
    const results = await runBenchmark(config, registries);
    expect(results.cells).toHaveLength(6);
    for (const cell of results.cells) {
      expect(cell.state, `${cell.estimator} on ${cell.backend}`).toBe('errored');
      expect(cell.state === 'errored' && cell.error).toMatch(/is (NaN|-?Infinity) at unit 0: the estimator produced NaN or Inf/);
    }
  });

  it('lets a plug-in kernel see the training step (0 when scoring, the 0-based step when training)', async () => {
    const config = resolveConfig(
      { suite: 'bernoulli-toy', estimator: 'step-aware', backend: ['cpu', 'gpu'], samples: 2000, steps: 6, trainSeeds: 1, timingIterations: 0, out: '/tmp/estibench-plugin-test' },
      registries,
    );
    const results = await runBenchmark(config, registries);
    for (const cell of results.cells) {
      expect(cell.state, cell.state === 'errored' ? cell.error : '').toBe('completed');
      if (cell.state !== 'completed') continue;
      expect(cell.metrics.meanGradient!.every((value) => value === 0)).toBe(true);
      // Adam does not move the logits while the gradient is 0 (steps 1-3 see step 0-2), then does.
      const loss = cell.metrics.lossCurve!.loss;
      expect(loss.slice(1, 4)).toEqual([loss[0], loss[0], loss[0]]);
      expect(loss[4]).not.toBe(loss[0]);
    }
  });

  it('refuses a plug-in whose id is already taken', () => {
    expect(() => withPlugins(registries, { estimators: [reinforce] }, 'again')).toThrow(/already registered/);
  });

  it.each([
    ['a missing field', { ...reinforce, id: 'no-needs', needs: undefined }, /estimator 'no-needs': 'needs' missing/],
    ['an invalid id', { ...reinforce, id: 'Has Spaces' }, /estimator 'Has Spaces': 'id' must be a kebab-case id/],
    ['an unknown node kind', { ...reinforce, id: 'odd-node', nodeKinds: ['ternary'] }, /'nodeKinds' must be a list of 1 to 4 of bernoulli/],
    ['a parameter named like a kernel argument', { ...reinforce, id: 'clash', params: { theta: { description: 'x', default: 1 } } }, /'params' has parameter 'theta', a name the harness binds/],
    ['a parameter without a default', { ...reinforce, id: 'no-default', params: { tau: { description: 'x' } } }, /'params.tau.default' is missing/],
  ])('refuses a plug-in with %s in one line naming the field', (_, definition, message) => {
    let caught: unknown;
    try {
      withPlugins(registries, { estimators: [definition as unknown as typeof reinforce] }, 'plug-in test');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain('\n');
  });
});
