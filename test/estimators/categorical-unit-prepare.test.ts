import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../backends/cpu.js';
import { CpuCategoricalNode } from '../../backends/cpu-categorical-node.js';
import { categoricalSample, categoricalSampleUnit } from '../../estimators/categorical-sample.js';
import { defineEstimator, noElementKernels, type CategoricalKernels, type EstimatorDefinition } from '../../core/estimator.js';
import { prepareCell } from '../../harness/cell.js';
import { kernelProblemAsStages } from '../../harness/kernel-problem-stages.js';
import { withDefaults } from '../../core/parameters.js';
import { hashSeed, Rng } from '../../core/rng.js';
import { categoricalToy } from '../../suites/categorical-toy.js';
import { isStagedProblem } from '../../core/suite.js';

/**
 * A plug-in whose gradient reads a number of each unit that depends on the logits only:
 * q = p² / Σ p² (p = softmax of the unit), dL/dθ_j = q_j (g_j − q · g). The element kernel computes q
 * itself; the unit forms read it from `unitPrepare`, with the same operations.
 */
const squaredStraightThrough = defineEstimator({
  id: 'squared-softmax-straight-through',
  title: 'Straight-through through q = p² / Σ p² (test plug-in)',
  citation: 'test',
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
    forward: categoricalSample,
    gradient: function squaredGradient(
      probabilities: ArrayLike<number>, dLdhValues: ArrayLike<number>, unitStart: number, hStart: number, classes: number, classIndex: number,
    ): number {
      let total = 0;
      for (let m = 0; m < classes; m++) total += probabilities[unitStart + m] * probabilities[unitStart + m];
      let weighted = 0;
      for (let k = 0; k < classes; k++) weighted += ((probabilities[unitStart + k] * probabilities[unitStart + k]) / total) * dLdhValues[hStart + k];
      const own = (probabilities[unitStart + classIndex] * probabilities[unitStart + classIndex]) / total;
      return own * (dLdhValues[hStart + classIndex] - weighted);
    },
    unitPrepare: function squaredPrepare(probabilities: ArrayLike<number>, unitStart: number, classes: number, out: Float64Array, outStart: number): void {
      let total = 0;
      for (let m = 0; m < classes; m++) total += probabilities[unitStart + m] * probabilities[unitStart + m];
      for (let k = 0; k < classes; k++) out[outStart + k] = (probabilities[unitStart + k] * probabilities[unitStart + k]) / total;
    },
    unitForward: categoricalSampleUnit,
    unitGradient: function squaredUnitGradient(
      prepared: ArrayLike<number>, dLdhValues: ArrayLike<number>, unitStart: number, hStart: number, classes: number, out: Float64Array, outStart: number,
    ): void {
      let weighted = 0;
      for (let k = 0; k < classes; k++) weighted += prepared[unitStart + k] * dLdhValues[hStart + k];
      for (let k = 0; k < classes; k++) out[outStart + k] += prepared[unitStart + k] * (dLdhValues[hStart + k] - weighted);
    },
  },
});

function withKernels(estimator: EstimatorDefinition, kernels: CategoricalKernels): EstimatorDefinition {
  return { ...estimator, categoricalKernels: kernels };
}

/** dL/dlogits of one pass through a staged node of 6 units × 4 classes, rows of different logits, f(h) = Σ (h − 0.3)². */
async function stagedGradient(estimator: EstimatorDefinition, rows: number): Promise<number[]> {
  const node = new CpuCategoricalNode({ estimator, estimatorParams: {}, nodeKind: 'categorical', width: 24, classes: 4 });
  const logits = Float64Array.from({ length: rows * 24 }, (_, index) => 2 * Math.sin(index * 0.37));
  const forward = await node.forward(logits, rows, new Rng(5), 0);
  const dLdh = Float64Array.from(forward.h, (h) => 2 * (h - 0.3));
  const gradient = Array.from(await node.backward(forward, null, dLdh, null, 0));
  node.dispose();
  return gradient;
}

describe('unitPrepare: per-unit numbers computed from the logits once', () => {
  it('gives the element kernels\' numbers on a staged node whose rows have different logits (prepared per row)', async () => {
    const { unitPrepare: _prepare, unitForward: _forward, unitGradient: _gradient, ...elementOnly } = squaredStraightThrough.categoricalKernels!;
    const fast = await stagedGradient(squaredStraightThrough, 40);
    expect(fast).toEqual(await stagedGradient(withKernels(squaredStraightThrough, elementOnly), 40));
    expect(fast.some((value) => value !== 0)).toBe(true);
  });

  it('gives a fused kernel problem (prepared once per call) the staged numbers', async () => {
    const cpu = await createCpuBackend({ threads: 1 });
    const problem = categoricalToy.create(withDefaults(categoricalToy.params, { dim: 5, classes: 4 }));
    if (isStagedProblem(problem)) throw new Error('categorical-toy is a kernel suite');
    const cells = [problem, kernelProblemAsStages(problem)].map((each) =>
      prepareCell(cpu, { estimator: squaredStraightThrough, estimatorParams: {}, problem: each, batchSize: 1 }));
    try {
      const logits = Float64Array.from(cells[0].initialParameters, (value, index) => value + 0.3 * Math.sin(index));
      for (let call = 0; call < 4; call++) {
        const [fused, staged] = await Promise.all(cells.map((cell) => cell.estimateMoments(logits, new Float64Array(logits.length), 1, new Rng(hashSeed(call, 'prepare')), call)));
        expect(Array.from(fused.mean)).toEqual(Array.from(staged.mean));
      }
    } finally {
      for (const cell of cells) cell.dispose();
      cpu.dispose();
    }
  });

  it('binds `prepared` only for an estimator that prepares, and says which names it has otherwise', () => {
    const { unitPrepare: _prepare, ...withoutPrepare } = squaredStraightThrough.categoricalKernels!;
    expect(() => new CpuCategoricalNode({ estimator: withKernels(squaredStraightThrough, withoutPrepare), estimatorParams: {}, nodeKind: 'categorical', width: 8, classes: 4 }))
      .toThrow(/unitGradient: kernel parameter 'prepared' is not an argument the harness provides; available: .*probabilities/);
  });
});
