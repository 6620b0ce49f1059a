import { describe, expect, it } from 'vitest';
import { builtInBackends } from '../../backends/index.js';
import { defineEstimator, noElementKernels } from '../../core/estimator.js';
import { builtInEstimators } from '../../estimators/index.js';
import { prepareCell, problemUnsupportedReason } from '../../harness/cell.js';
import { nodeProbabilities, unsupportedNodeReason } from '../../core/node-kinds.js';
import { withDefaults } from '../../core/parameters.js';
import { hashSeed, Rng } from '../../core/rng.js';
import { drawMoments } from '../../harness/sampling.js';
import { trainLogits } from '../../harness/training.js';
import { categoricalToy } from '../../suites/categorical-toy.js';
import type { Problem } from '../../core/suite.js';
import { toyProblem } from '../support/helpers.js';

const estimator = (id: string) => builtInEstimators.get(id)!;

/** The README's example: a one-hot sample forward, the softmax Jacobian J(pi) applied to dL/dD backward. */
const softmaxStraightThrough = defineEstimator({
  id: 'softmax-straight-through',
  title: 'Straight-through with the softmax Jacobian',
  citation: 'README example',
  family: 'pathwise-surrogate',
  nodeKinds: ['categorical'],
  claimsUnbiased: false,
  params: {},
  noise: [],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  kernels: noElementKernels,
  categoricalKernels: {
    exponentialsPerUnit: (_params, classes) => classes,
    forward: function oneHotSample(
      probabilities: number[], exponentials: number[], unitStart: number, noiseStart: number, classes: number, classIndex: number,
    ): number {
      let winner = 0;
      let best = exponentials[noiseStart] / probabilities[unitStart];
      for (let j = 1; j < classes; j++) {
        const arrival = exponentials[noiseStart + j] / probabilities[unitStart + j];
        if (arrival < best) {
          best = arrival;
          winner = j;
        }
      }
      return winner === classIndex ? 1 : 0;
    },
    gradient: function softmaxStraightThroughGradient(
      probabilities: number[], dLdhValues: number[], unitStart: number, hStart: number, classes: number, classIndex: number,
    ): number {
      let weighted = 0;
      for (let k = 0; k < classes; k++) weighted += probabilities[unitStart + k] * dLdhValues[hStart + k];
      return probabilities[unitStart + classIndex] * (dLdhValues[hStart + classIndex] - weighted);
    },
  },
});

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

  it('refuses a categorical kernel problem whose classes do not divide its dim, naming both', async () => {
    const cpu = await builtInBackends.get('cpu')!({ threads: 1 });
    const withoutClasses = { ...toyProblem(), nodeKind: 'categorical' as const };
    expect(problemUnsupportedReason(withoutClasses, estimator('gumbel-softmax'))).toBeNull();
    const prepare = (problem: Problem) => prepareCell(cpu, { estimator: estimator('gumbel-softmax'), estimatorParams: { tau: 0.5 }, problem, batchSize: 8 });
    expect(() => prepare(withoutClasses)).toThrow(/classes K >= 2 dividing its dim \(got dim 16, K = undefined\)/);
    expect(() => prepare({ ...withoutClasses, classes: 3 })).toThrow(/got dim 16, K = 3/);
    cpu.dispose();
  });

  it('hands kernels the softmax of each unit as p, unit-major', () => {
    const logits = Float64Array.from([0, Math.log(2), Math.log(5), 3, 3, 3]);
    expect(Array.from(nodeProbabilities('categorical', logits, 3)).map((p) => Number(p.toFixed(12)))).toEqual([0.125, 0.25, 0.625, 1 / 3, 1 / 3, 1 / 3].map((p) => Number(p.toFixed(12))));
    expect(() => nodeProbabilities('categorical', logits, 4)).toThrow(/whole number of units/);
  });

  it('refuses a categorical node whose classes do not divide its width, naming both', async () => {
    const cpu = await builtInBackends.get('cpu')!({ threads: 2 });
    expect(() => cpu.prepareHardNode!({ estimator: estimator('reinmax'), estimatorParams: { tau: 1 }, nodeKind: 'categorical', width: 10, classes: 4 }))
      .toThrow(/classes K >= 2 dividing its width \(got width 10, K = 4\)/);
  });

  it('trains categorical-toy: reinforce-loo lowers the exact loss', async () => {
    const cpu = await builtInBackends.get('cpu')!({ threads: 2 });
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

  it.each(['cpu', 'gpu'])('runs a categorical estimator defined outside the harness (the README example) on the %s backend', async (backendId) => {
    const backend = await builtInBackends.get(backendId)!({ threads: 2 });
    try {
      const problem = categoricalToy.create(withDefaults(categoricalToy.params));
      const cell = prepareCell(backend, { estimator: softmaxStraightThrough, estimatorParams: {}, problem, batchSize: 8192 });
      const moments = await drawMoments({ cell, logits: cell.initialParameters, baseline: new Float64Array(48), samples: 20_000, batchSize: 8192, rng: new Rng(hashSeed(5, 'plug-in')) });
      cell.dispose();
      // J(pi) is fixed and E[D] = pi, so E[J(pi) 2(D - c)] = 2 J(pi)(pi - c), with J(pi) = diag(pi) - pi pi^T.
      const targets = problem.recordedParams!.targets as number[];
      const probabilities = nodeProbabilities('categorical', cell.initialParameters, 6);
      for (let unit = 0; unit < 8; unit++) {
        const pi = Array.from(probabilities.subarray(unit * 6, unit * 6 + 6));
        const slope = pi.map((value, j) => 2 * (value - targets[unit * 6 + j]));
        for (let k = 0; k < 6; k++) {
          const expected = pi.reduce((sum, _, j) => sum + ((k === j ? pi[k] : 0) - pi[k] * pi[j]) * slope[j], 0);
          const index = unit * 6 + k;
          const standardError = Math.sqrt(moments.sumOfSquaredDeviations[index] / (moments.count - 1) / moments.count);
          expect(Math.abs(moments.mean[index] - expected), `unit ${unit} class ${k}`).toBeLessThan(5 * standardError + 1e-9);
        }
      }
    } finally {
      backend.dispose();
    }
  });
});
