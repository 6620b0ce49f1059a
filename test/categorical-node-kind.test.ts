import { describe, expect, it } from 'vitest';
import { builtInBackends } from '../backends/index.js';
import { defineEstimator } from '../estimators/estimator.js';
import { builtInEstimators } from '../estimators/index.js';
import { prepareCell, problemUnsupportedReason } from '../harness/cell.js';
import { nodeProbabilities, unsupportedNodeReason } from '../harness/node-kinds.js';
import { withDefaults } from '../harness/parameters.js';
import { hashSeed, Rng } from '../harness/rng.js';
import { trainLogits } from '../harness/training.js';
import { categoricalToy } from '../suites/categorical-toy.js';
import { toyProblem } from './helpers.js';

const estimator = (id: string) => builtInEstimators.get(id)!;

describe('the categorical node kind', () => {
  it('runs the categorical estimators on categorical nodes only, and the element-kernel estimators on the others only', () => {
    expect(unsupportedNodeReason(estimator('gumbel-softmax'), 'categorical')).toBeNull();
    expect(unsupportedNodeReason(estimator('gumbel-softmax'), 'bernoulli')).toBeNull();
    expect(unsupportedNodeReason(estimator('reinmax'), 'categorical')).toBeNull();
    expect(unsupportedNodeReason(estimator('reinmax'), 'bernoulli')).toMatch(/reinmax supports categorical nodes, not bernoulli/);
    expect(unsupportedNodeReason(estimator('ste-sigmoid'), 'categorical')).toMatch(/supports bernoulli nodes, not categorical/);
  });

  it('refuses an estimator that lists categorical nodes without categorical kernels', () => {
    const listsWithoutKernels = defineEstimator({ ...estimator('ste-identity'), id: 'no-categorical-kernels', nodeKinds: ['bernoulli', 'categorical'] });
    expect(unsupportedNodeReason(listsWithoutKernels, 'categorical')).toMatch(/defines no categoricalKernels/);
  });

  it('keeps categorical nodes out of kernel-objective (fused) problems', () => {
    const fusedCategorical = { ...toyProblem(), nodeKind: 'categorical' as const };
    expect(problemUnsupportedReason(fusedCategorical, estimator('gumbel-softmax'))).toMatch(/staged suites only/);
    expect(problemUnsupportedReason(toyProblem(), estimator('gumbel-softmax'))).toBeNull();
  });

  it('hands kernels the softmax of each unit as p, unit-major', () => {
    const logits = Float64Array.from([0, Math.log(2), Math.log(5), 3, 3, 3]);
    expect(Array.from(nodeProbabilities('categorical', logits, 3)).map((p) => Number(p.toFixed(12)))).toEqual([0.125, 0.25, 0.625, 1 / 3, 1 / 3, 1 / 3].map((p) => Number(p.toFixed(12))));
    expect(() => nodeProbabilities('categorical', logits, 4)).toThrow(/whole number of units/);
  });

  it('refuses a categorical node whose classes do not divide its width, naming both', async () => {
    const cpu = await builtInBackends.get('cpu')!();
    expect(() => cpu.prepareHardNode!({ estimator: estimator('reinmax'), estimatorParams: { tau: 1 }, nodeKind: 'categorical', width: 10, classes: 4 }))
      .toThrow(/classes K >= 2 dividing its width \(got width 10, K = 4\)/);
  });

  it('trains categorical-toy: reinforce-loo lowers the exact loss', async () => {
    const cpu = await builtInBackends.get('cpu')!();
    const problem = categoricalToy.create(withDefaults(categoricalToy.params));
    const loo = estimator('reinforce-loo');
    const cell = prepareCell(cpu, { estimator: loo, estimatorParams: withDefaults(loo.params), problem, batchSize: 256 });
    try {
      const initialLoss = (await cell.evaluate(cell.initialParameters)).loss;
      const result = await trainLogits(cell, loo, { steps: 60, samplesPerStep: 64, learningRate: 0.1, batchSize: 256, seeds: 1 }, [new Rng(hashSeed(3, 'train'))]);
      // From 9.95 at the start; the infimum is D (1 − t)² K / (K − 1) = 8 · 0.048 = 0.384 (every pi_i on its target
      // class). 60 Adam steps of 0.1 reach 0.48 with this seed.
      expect(initialLoss).toBeCloseTo(9.9497, 3);
      expect(result.finalLoss).toBeLessThan(1);
      expect(result.finalLoss).toBeGreaterThan(0.384);
    } finally {
      cell.dispose();
    }
  });
});
