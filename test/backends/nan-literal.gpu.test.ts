/**
 * A plug-in kernel that returns the literal `NaN` (or `Number.NaN`) fails its cell on the GPU with the
 * CPU's message ("... the estimator produced NaN or Inf"), not with gpu.js's "Identifier is not
 * defined": the GPU translation computes the NaN instead.
 */
import { describe, expect, it } from 'vitest';
import { builtInBackends } from '../../backends/index.js';
import { defineEstimator } from '../../core/estimator.js';
import { builtInEstimators } from '../../estimators/index.js';
import { resolveConfig } from '../../harness/config.js';
import { withPlugins } from '../../harness/plugins.js';
import { runBenchmark } from '../../harness/runner.js';
import { builtInSuites } from '../../suites/index.js';

const fields = {
  title: 'returns NaN', citation: 'none', family: 'score-function', nodeKinds: ['bernoulli'], claimsUnbiased: false, params: {},
  noise: ['uniform'], evaluations: 1, needs: { objective: false, objectiveGradient: false },
} as const;
const forward = function sampleForward(theta: number, p: number, u: number): number {
  return u < p ? 1 : 0;
};
const literalNaN = defineEstimator({ ...fields, id: 'literal-nan', kernels: { forward, gradient: function literalNaNGradient(): number { return NaN; } } });
const numberNaN = defineEstimator({ ...fields, id: 'number-nan', kernels: { forward, gradient: function numberNaNGradient(): number { return Number.NaN; } } });

describe('a kernel returning NaN', () => {
  it('fails its cell with the same message on the GPU as on the CPU', async () => {
    const registries = withPlugins({ suites: builtInSuites, estimators: builtInEstimators, backends: builtInBackends }, { estimators: [literalNaN, numberNaN] }, 'test');
    const config = resolveConfig(
      { suite: 'bernoulli-toy', estimator: ['literal-nan', 'number-nan'], backend: ['cpu', 'gpu'], samples: 2000, steps: 0, timingIterations: 0, out: '/tmp/estibench-nan-literal-test' },
      registries,
    );
    const results = await runBenchmark(config, registries);
    expect(results.cells).toHaveLength(4);
    for (const estimator of ['literal-nan', 'number-nan']) {
      const [cpu, gpu] = ['cpu', 'gpu'].map((backend) => results.cells.find((cell) => cell.estimator === estimator && cell.backend === backend)!);
      expect(cpu.state === 'errored' && cpu.error).toBe('mean gradient is NaN at unit 0: the estimator produced NaN or Inf');
      expect(gpu.state === 'errored' && gpu.error, `on the GPU: ${gpu.state === 'errored' ? gpu.error : gpu.state}`).toBe(cpu.state === 'errored' && cpu.error);
    }
  });
});
