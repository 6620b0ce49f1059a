import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComputeBackend } from '../../core/backend.js';
import { createCpuBackend } from '../../backends/cpu.js';
import { builtInEstimators } from '../../estimators/index.js';
import { prepareCell, type ReadyCell } from '../../harness/cell.js';
import { kernelProblemAsStages } from '../../harness/kernel-problem-stages.js';
import { withDefaults } from '../../core/parameters.js';
import { hashSeed, Rng } from '../../core/rng.js';
import { categoricalToy } from '../../suites/categorical-toy.js';
import { isStagedProblem, type Problem, type StagedProblem } from '../../core/suite.js';

/** categorical-toy at a size with several units and classes that do not divide evenly into the chunks. */
function toy(): Problem {
  const problem = categoricalToy.create(withDefaults(categoricalToy.params, { dim: 5, classes: 4, t: 0.7 }));
  if (isStagedProblem(problem)) throw new Error('categorical-toy is a kernel suite');
  return problem;
}

const categoricalEstimators = [...builtInEstimators.values()].filter((estimator) => estimator.nodeKinds.includes('categorical'));
/** Non-default parameters too: the kernels' exp/log branches (1/tau not whole), k = 3 and k = 6 samples (beyond 4 the loops keep a loop over evaluations), M = 3 resamples. */
const parameterChoices: Record<string, Record<string, number>[]> = {
  'gumbel-softmax': [{}, { tau: 0.7 }],
  'st-gumbel-softmax': [{}, { tau: 0.7 }],
  'decoupled-st-gumbel-softmax': [{}, { tauForward: 2, tauBackward: 0.7 }],
  reinmax: [{}, { tau: 2.5 }],
  'gumbel-rao': [{ conditionalSamples: 3 }, { tau: 0.7, conditionalSamples: 2 }],
  'reinforce-loo': [{}, { k: 3 }, { k: 6 }],
};
const cases = categoricalEstimators.flatMap((estimator) => (parameterChoices[estimator.id] ?? [{}]).map((params) => [estimator.id, params] as const));

function cellOf(backend: ComputeBackend, id: string, params: Record<string, number>, problem: Problem | StagedProblem, batchSize: number): ReadyCell {
  const estimator = builtInEstimators.get(id)!;
  return prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params, params), problem, batchSize });
}

describe('the CPU backend fuses categorical kernel problems', () => {
  let oneThread: ComputeBackend;
  let twoThreads: ComputeBackend;
  beforeAll(async () => {
    oneThread = await createCpuBackend({ threads: 1 });
    // Threads from the first element, so that every call with two chunks or more is shared.
    twoThreads = await createCpuBackend({ threads: 2, threadsFromElements: 1 });
  });
  afterAll(() => {
    oneThread?.dispose();
    twoThreads?.dispose();
  });

  it('declares categorical nodes among the kinds it fuses', () => {
    expect(oneThread.fusedNodeKinds).toContain('categorical');
  });

  it.each(cases)('%s %j: each fused estimate is the staged one, to the last bit', async (id, params) => {
    // One estimate per call: its moments' mean is the estimate itself, on both paths.
    const fused = cellOf(oneThread, id, params, toy(), 1);
    const staged = cellOf(oneThread, id, params, kernelProblemAsStages(toy()), 1);
    try {
      const logits = Float64Array.from(fused.initialParameters, (value, index) => value + 0.3 * Math.sin(index));
      for (let call = 0; call < 6; call++) {
        const [fusedRng, stagedRng] = [new Rng(hashSeed(call, id)), new Rng(hashSeed(call, id))];
        const a = await fused.estimateMoments(logits, new Float64Array(logits.length), 1, fusedRng, call);
        const b = await staged.estimateMoments(logits, new Float64Array(logits.length), 1, stagedRng, call);
        expect(Array.from(a.mean)).toEqual(Array.from(b.mean));
        // Both consumed the same draws from the call's stream.
        expect(fusedRng.nextUint32()).toBe(stagedRng.nextUint32());
      }
    } finally {
      fused.dispose();
      staged.dispose();
    }
  });

  it.each(cases)('%s %j: batches of several chunks agree with the stages, on one thread and on two', async (id, params) => {
    const count = 2600; // three noise chunks, the last one short
    const moments = [];
    for (const [backend, problem] of [[oneThread, toy()], [twoThreads, toy()], [oneThread, kernelProblemAsStages(toy())]] as const) {
      const cell = cellOf(backend, id, params, problem, count);
      try {
        moments.push(await cell.estimateMoments(cell.initialParameters, new Float64Array(cell.initialParameters.length), count, new Rng(hashSeed(11, id)), 0));
      } finally {
        cell.dispose();
      }
    }
    const [single, threaded, staged] = moments;
    // The chunk sums are added in chunk order whatever thread computed them: the same numbers.
    expect(Array.from(threaded.mean)).toEqual(Array.from(single.mean));
    expect(Array.from(threaded.sumOfSquaredDeviations)).toEqual(Array.from(single.sumOfSquaredDeviations));
    // The staged path reduces the same estimates in another order (two passes): equal to rounding.
    single.mean.forEach((value, index) => expect(Math.abs(value - staged.mean[index])).toBeLessThan(1e-12 * (1 + Math.abs(value))));
    single.sumOfSquaredDeviations.forEach((value, index) =>
      expect(Math.abs(value - staged.sumOfSquaredDeviations[index])).toBeLessThan(1e-9 * (1 + Math.abs(value))));
  });
});
