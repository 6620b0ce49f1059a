import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../backends/cpu.js';
import { defineEstimator } from '../../core/estimator.js';
import { builtInEstimators } from '../../estimators/index.js';
import { withDefaults } from '../../core/parameters.js';
import { Rng } from '../../core/rng.js';
import { toyProblem } from '../support/helpers.js';

/** Worker threads of the CPU backend: more threads than cores, failures inside a kernel, disposal. */
describe('CPU backend threads', () => {
  it('gives the same numbers with 1, 2 and 3 threads (3 on a 2-core machine oversubscribes)', async () => {
    const problem = toyProblem({ dim: 64 });
    const estimator = builtInEstimators.get('additive-noise')!;
    const results = [];
    for (const threads of [1, 2, 3]) {
      const backend = await createCpuBackend({ threads, threadsFromElements: 1 });
      const cell = backend.prepare({ estimator, estimatorParams: withDefaults(estimator.params, {}), problem, batchSize: 9000 });
      results.push(await cell.estimateMoments(problem.initialLogits, new Float64Array(64), 9000, new Rng(8)));
      cell.dispose();
    }
    for (const moments of results.slice(1)) {
      expect(Array.from(moments.mean)).toEqual(Array.from(results[0].mean));
      expect(Array.from(moments.sumOfSquaredDeviations)).toEqual(Array.from(results[0].sumOfSquaredDeviations));
    }
  });

  it('fails the call with the kernel\'s own error, on any thread count, and stays usable for disposal', async () => {
    const broken = defineEstimator({
      ...builtInEstimators.get('ste-identity')!,
      id: 'broken',
      kernels: {
        ...builtInEstimators.get('ste-identity')!.kernels,
        // Reads a name that does not exist: a ReferenceError inside the generated loop, on whichever thread runs it.
        forward: function brokenForward(u: number, step: number): number { return step > 2 ? u + (globalThis as unknown as { noSuchHelper: () => number }).noSuchHelper() : u; },
      },
    });
    const problem = toyProblem({ dim: 32 });
    for (const threads of [1, 2]) {
      const backend = await createCpuBackend({ threads, threadsFromElements: 1 });
      const cell = backend.prepare({ estimator: broken, estimatorParams: {}, problem, batchSize: 5000 });
      await expect(cell.estimateMoments(problem.initialLogits, new Float64Array(32), 5000, new Rng(1), 0)).resolves.toBeTruthy();
      await expect(cell.estimateMoments(problem.initialLogits, new Float64Array(32), 5000, new Rng(1), 3)).rejects.toThrow(/noSuchHelper/);
      cell.dispose();
    }
  });
});

describe('CPU worker pool', () => {
  it('reports an error thrown on a worker thread, even when the calling thread succeeded', async () => {
    const { CpuWorkerPool, sharedCallArrays } = await import('../../backends/cpu-pool.js');
    // The worker's loop throws on real calls (its warm-up call is smaller); this thread's loop is slow
    // on its first chunk, so the worker claims the others.
    const pool = new CpuWorkerPool(
      `return { estimate: function (l, p, b, seeds, first, end, count) { if (count > 5000) throw new Error('worker-side failure'); }, pilot: null };`, 4, 1);
    const slowFirstChunk = (logits: Float64Array, probabilities: Float64Array, baseline: Float64Array, seeds: Uint32Array, first: number) => {
      const until = Date.now() + (first === 0 ? 300 : 0);
      while (Date.now() < until);
    };
    const seeds = new Uint32Array(8);
    const call = { kind: 'estimate' as const, logits: new Float64Array(4), probabilities: new Float64Array(4), baseline: new Float64Array(4), seeds, count: 8192, step: 0, state: new Float64Array(0), ...sharedCallArrays(8, 4) };
    try {
      await new Promise((resolve) => setTimeout(resolve, 200)); // let the worker start
      await expect(pool.run(call, slowFirstChunk)).rejects.toThrow(/worker-side failure/);
    } finally {
      pool.terminate();
    }
  });
});
