import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComputeBackend } from '../../core/backend.js';
import { createCpuBackend } from '../../backends/cpu.js';
import { createGpuBackend } from '../../backends/gpu.js';
import { builtInEstimators } from '../../estimators/index.js';
import { sampleEstimator, toyProblem } from '../support/helpers.js';

describe('CPU and gpu.js backends', () => {
  let cpu: ComputeBackend;
  let singleThreadCpu: ComputeBackend;
  let gpu: ComputeBackend;
  beforeAll(async () => {
    cpu = await createCpuBackend({ threads: 2 });
    singleThreadCpu = await createCpuBackend({ threads: 1 });
    gpu = await createGpuBackend();
  });
  afterAll(() => {
    gpu?.dispose();
  });

  it('records which GPU path ran and why earlier paths failed', () => {
    expect(gpu.mode).toMatch(/^gpu:(webgpu|headlessgl|webgpu-software|headlessgl-software|cpu-fallback)$/);
    expect(gpu.details.renderer).toBeTruthy();
    if (!gpu.mode.startsWith('gpu:webgpu')) expect(gpu.fallbacks.some((reason) => reason.startsWith('webgpu:'))).toBe(true);
  });

  const onBernoulliNodes = [...builtInEstimators.values()].filter((estimator) => estimator.nodeKinds.includes('bernoulli')).map((estimator) => estimator.id);
  it.each(onBernoulliNodes)('%s: same seed, same estimates on both backends (to float32 precision)', async (id) => {
    const estimator = builtInEstimators.get(id)!;
    const problem = toyProblem({ dim: 24 });
    const onCpu = await sampleEstimator(cpu, estimator, problem, 10_000, 11);
    const onGpu = await sampleEstimator(gpu, estimator, problem, 10_000, 11);
    for (let unit = 0; unit < problem.dim; unit++) {
      // Both consume the same noise; a float32 threshold flip moves one of 10^4 samples.
      expect(Math.abs(onGpu.mean[unit] - onCpu.mean[unit])).toBeLessThan(2e-3 + 1e-3 * Math.abs(onCpu.mean[unit]));
      const cpuVariance = onCpu.sumOfSquaredDeviations[unit] / 9_999;
      const gpuVariance = onGpu.sumOfSquaredDeviations[unit] / 9_999;
      expect(Math.abs(gpuVariance - cpuVariance)).toBeLessThan(2e-3 + 1e-2 * cpuVariance);
    }
  });

  it('threaded and single-threaded CPU runs give identical numbers', async () => {
    const estimator = builtInEstimators.get('gumbel-softmax')!;
    const problem = toyProblem({ dim: 64 });
    const threaded = await sampleEstimator(cpu, estimator, problem, 20_000, 5);
    const single = await sampleEstimator(singleThreadCpu, estimator, problem, 20_000, 5);
    expect(Array.from(threaded.mean)).toEqual(Array.from(single.mean));
    expect(Array.from(threaded.sumOfSquaredDeviations)).toEqual(Array.from(single.sumOfSquaredDeviations));
  });
});
