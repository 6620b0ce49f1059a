import { describe, expect, it } from 'vitest';
import type { HardNodeRequest } from '../../core/backend.js';
import { CpuCategoricalNode } from '../../backends/cpu-categorical-node.js';
import { CpuHardNode } from '../../backends/cpu-hard-node.js';
import { chunkNoiseSource } from '../../backends/cpu-noise-source.js';
import { fillExponentials } from '../../backends/categorical-noise.js';
import { fillNoise } from '../../backends/noise.js';
import type { EstimatorDefinition, NoiseKind } from '../../core/estimator.js';
import { builtInEstimators } from '../../estimators/index.js';
import { withDefaults, type ParameterValues } from '../../core/parameters.js';
import { chunkSeeds, noiseChunkSamples, Rng } from '../../core/rng.js';
import type { HardNodeStage } from '../../core/suite.js';

/** Rows of logits that differ from row to row, except a run of repeated rows (the toy suites' case). */
function mixedLogits(rows: number, width: number): Float64Array {
  const logits = Float64Array.from({ length: rows * width }, (_, index) => 2 * Math.sin(index * 0.37));
  for (let row = 10; row < 40; row++) logits.copyWithin(row * width, 9 * width, 10 * width);
  return logits;
}

/** h, dL/dlogits and (where the estimator has one) the pilot's sums of one pass through a node, f(h) = Σ (h − 0.3)². */
async function pass(node: HardNodeStage, rows: number, withBaseline: boolean): Promise<number[][]> {
  const forward = await node.forward(mixedLogits(rows, node.width), rows, new Rng(11), 5);
  const objectives = new Float64Array(rows * node.evaluations);
  const gradient = new Float64Array(forward.h.length);
  for (let row = 0; row < objectives.length; row++) {
    for (let index = 0; index < node.width; index++) {
      const difference = forward.h[row * node.width + index] - 0.3;
      objectives[row] += difference * difference;
      gradient[row * node.width + index] = 2 * difference;
    }
  }
  const sums = withBaseline ? await node.baselineSums(forward, objectives, 5) : null;
  const dLogits = await node.backward(forward, objectives, gradient, sums?.weightedObjective ?? null, 5);
  return [Array.from(forward.h), Array.from(dLogits), ...(sums ? [Array.from(sums.weightedObjective), Array.from(sums.weight)] : [])];
}

const categoricalRequest = (estimator: EstimatorDefinition, estimatorParams: ParameterValues): HardNodeRequest =>
  ({ estimator, estimatorParams, nodeKind: 'categorical', width: 5 * 4, classes: 4 });

/** Non-default parameters that change each categorical estimator's evaluations or its unit kernels' branches. */
const otherParams: Record<string, ParameterValues> = {
  'gumbel-softmax': { tau: 0.7 }, 'st-gumbel-softmax': { tau: 0.6 }, reinmax: { tau: 2 },
  'gumbel-rao': { tau: 0.7, conditionalSamples: 3 }, 'reinforce-loo': { k: 3 }, 'gapped-st': { tau: 0.5, gap: 2 },
  'decoupled-st-gumbel-softmax': { tauForward: 2, tauBackward: 0.7 },
};
const categoricalEstimators = [...builtInEstimators.values()].filter((estimator) => estimator.nodeKinds.includes('categorical'));

describe('categorical unit kernels (the CPU fast path)', () => {
  // The group estimators' gradients are per element already (no sums over a unit): only their sample has a unit form.
  // relax's gradient reads its host terms, which reach the element kernels only.
  const perElementGradients = new Set(['reinforce-loo', 'grpo', 'dr-grpo', 'vimco', 'relax']);
  it('every built-in categorical estimator but the group estimators\' and relax\'s gradients has unit forms', () => {
    for (const estimator of categoricalEstimators) {
      expect(estimator.categoricalKernels!.unitForward, estimator.id).toBeTypeOf('function');
      if (!perElementGradients.has(estimator.id)) expect(estimator.categoricalKernels!.unitGradient, estimator.id).toBeTypeOf('function');
    }
  });

  it.each(categoricalEstimators.flatMap((estimator) => [[estimator.id, {}], [estimator.id, otherParams[estimator.id] ?? {}]] as const))(
    '%s %j: the unit forms give exactly the element kernels\' numbers',
    async (id, params) => {
      const estimator = builtInEstimators.get(id)!;
      const { unitPrepare: _prepare, unitForward: _forward, unitGradient: _gradient, ...elementOnly } = estimator.categoricalKernels!;
      const withoutUnits: EstimatorDefinition = { ...estimator, categoricalKernels: elementOnly };
      const estimatorParams = withDefaults(estimator.params, params);
      const fast = await pass(new CpuCategoricalNode(categoricalRequest(estimator, estimatorParams)), 300, false);
      const reference = await pass(new CpuCategoricalNode(categoricalRequest(withoutUnits, estimatorParams)), 300, false);
      expect(fast).toEqual(reference);
    },
  );
});

describe('CPU hard nodes on worker threads', () => {
  // 2 500 rows: three noise chunks, the last one short, and enough work to be shared with a worker.
  const rows = 2 * noiseChunkSamples + 452;

  it.each(categoricalEstimators.map((estimator) => estimator.id))('categorical %s: the same numbers on 1 and 2 threads', async (id) => {
    const estimator = builtInEstimators.get(id)!;
    const request = categoricalRequest(estimator, withDefaults(estimator.params, {}));
    const results = [];
    for (const threads of [1, 2]) {
      const node = new CpuCategoricalNode(request, threads);
      results.push(await pass(node, rows, false));
      node.dispose();
    }
    expect(results[1]).toEqual(results[0]);
  });

  it.each(['arm', 'disarm', 'bengio-unbiased', 'multiplicative-noise', 'gumbel-softmax', 'reinforce-loo'])(
    'bernoulli %s: the same numbers (and baseline sums) on 1 and 2 threads',
    async (id) => {
      const estimator = builtInEstimators.get(id)!;
      const request: HardNodeRequest = { estimator, estimatorParams: withDefaults(estimator.params, {}), nodeKind: 'bernoulli', width: 23 };
      const results = [];
      for (const threads of [1, 2]) {
        const node = new CpuHardNode(request, threads);
        results.push(await pass(node, rows, estimator.kernels.baselineWeight !== undefined));
        node.dispose();
      }
      expect(results[1]).toEqual(results[0]);
    },
  );
});

describe('chunk noise source', () => {
  it.each([[['uniform']], [['normal']], [['uniform', 'normal']], [['normal', 'uniform']], [[]]] as NoiseKind[][][])(
    '%j: chunk by chunk, the numbers fillNoise draws for the whole call',
    (kinds) => {
      const width = 7;
      const count = noiseChunkSamples + 300;
      const seeds = chunkSeeds(new Rng(3), count);
      const expectedU = new Float64Array(count * width);
      const expectedV = new Float64Array(count * width);
      fillNoise(kinds, seeds, count, width, expectedU, kinds.length > 1 ? expectedV : null);
      const fill = new Function(`${chunkNoiseSource(kinds, width)}; return fillChunkNoise;`)() as
        (rng: Rng, rows: number, u: Float64Array, v: Float64Array) => void;
      const u = new Float64Array(count * width);
      const v = new Float64Array(kinds.length > 1 ? count * width : 0);
      for (let chunk = 0; chunk < seeds.length; chunk++) {
        const [start, end] = [chunk * noiseChunkSamples, Math.min(count, (chunk + 1) * noiseChunkSamples)];
        fill(new Rng(seeds[chunk]), end - start, u.subarray(start * width, end * width), v.subarray(start * width, v.length > 0 ? end * width : 0));
      }
      expect(Array.from(u)).toEqual(Array.from(expectedU));
      if (kinds.length > 1) expect(Array.from(v)).toEqual(Array.from(expectedV));
    },
  );

  it('with exponentials: what fillExponentials draws', () => {
    const width = 5;
    const count = 2 * noiseChunkSamples;
    const seeds = chunkSeeds(new Rng(9), count);
    const expected = new Float64Array(count * width);
    fillExponentials(seeds, count, width, expected);
    const fill = new Function(`${chunkNoiseSource(['uniform'], width, true)}; return fillChunkNoise;`)() as
      (rng: Rng, rows: number, u: Float64Array, v: null) => void;
    const exponentials = new Float64Array(count * width);
    for (let chunk = 0; chunk < seeds.length; chunk++) {
      fill(new Rng(seeds[chunk]), noiseChunkSamples, exponentials.subarray(chunk * noiseChunkSamples * width, (chunk + 1) * noiseChunkSamples * width), null);
    }
    expect(Array.from(exponentials)).toEqual(Array.from(expected));
  });
});
