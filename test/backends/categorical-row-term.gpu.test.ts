/** The categorical row term (`CategoricalKernels.rowTerm`): its sum reaches `gradient` as `rowTermSum` on every categorical path. */
import { expect, it } from 'vitest';
import { defineEstimator, noElementKernels, type EstimatorDefinition } from '../../core/estimator.js';
import { withDefaults } from '../../core/parameters.js';
import { hashSeed, Rng } from '../../core/rng.js';
import { isStagedProblem, type Problem, type StagedProblem } from '../../core/suite.js';
import { prepareCell } from '../../harness/cell.js';
import { kernelProblemAsStages } from '../../harness/kernel-problem-stages.js';
import { drawMoments } from '../../harness/sampling.js';
import { categoricalToy } from '../../suites/categorical-toy.js';
import { describeEachBackend } from '../support/backends.js';

const units = 3;
const classes = 4;
const t = 0.7;

/**
 * A probe with no randomness, so that the test can compute every number: evaluation e hands h = p^(e + 1)
 * downstream, the row term reads the unit's arrays, dL/dh, the objectives array, theta and every index
 * name, and the gradient returns the row term's sum times p plus the evaluation times h.
 */
function rowTermProbe(evaluations: number): EstimatorDefinition {
  return defineEstimator({
    id: 'categorical-row-term-probe', title: 'categorical row term probe', citation: '-', family: 'score-function', nodeKinds: ['categorical'], claimsUnbiased: false,
    params: {}, noise: ['uniform'], evaluations, noisePerEvaluation: true, needs: { objective: true, objectiveGradient: true },
    kernels: noElementKernels,
    categoricalKernels: {
      exponentialsPerUnit: (_params, unitClasses) => unitClasses,
      forward: function probeForward(p: number, evaluation: number): number {
        return Math.pow(p, evaluation + 1);
      },
      rowTerm: function probeRowTerm(
        h: number, p: number, dLdh: number, theta: number, hValues: ArrayLike<number>, hStart: number, probabilities: ArrayLike<number>, unitStart: number,
        objectives: ArrayLike<number>, objectivesStart: number, unit: number, classIndex: number, evaluation: number,
      ): number {
        return dLdh * (h - p) * (unit + 1) + 0.1 * (classIndex + 1) * objectives[objectivesStart + evaluation] + theta * (evaluation + 1)
          + hValues[hStart] * probabilities[unitStart + 1];
      },
      gradient: function probeGradient(h: number, p: number, rowTermSum: number, evaluation: number): number {
        return rowTermSum * p + evaluation * h;
      },
    },
  });
}

/** The row's numbers, computed here in float64 from the definitions: categorical-toy's f(x) = Σᵢ ‖xᵢ − cᵢ‖², df/dx = 2 (x − c). */
function expectedEstimate(logits: Float64Array, evaluations: number): Float64Array {
  const width = units * classes;
  const pi = new Float64Array(width);
  for (let unit = 0; unit < units; unit++) {
    const slice = logits.subarray(unit * classes, (unit + 1) * classes);
    const largest = Math.max(...slice);
    const total = slice.reduce((sum, value) => sum + Math.exp(value - largest), 0);
    for (let c = 0; c < classes; c++) pi[unit * classes + c] = Math.exp(slice[c] - largest) / total;
  }
  const target = (element: number) => (element % classes === Math.floor(element / classes) % classes ? t : (1 - t) / (classes - 1));
  const h = (evaluation: number, element: number) => pi[element] ** (evaluation + 1);
  const objectives = Array.from({ length: evaluations }, (_, e) => Array.from({ length: width }, (__, element) => (h(e, element) - target(element)) ** 2).reduce((a, b) => a + b, 0));
  let rowTermSum = 0;
  for (let e = 0; e < evaluations; e++) {
    for (let element = 0; element < width; element++) {
      const unit = Math.floor(element / classes);
      const c = element % classes;
      const dLdh = 2 * (h(e, element) - target(element));
      rowTermSum += dLdh * (h(e, element) - pi[element]) * (unit + 1) + 0.1 * (c + 1) * objectives[e] + logits[element] * (e + 1) + h(e, unit * classes) * pi[unit * classes + 1];
    }
  }
  return Float64Array.from(pi, (p, element) => Array.from({ length: evaluations }, (_, e) => rowTermSum * p + e * h(e, element)).reduce((a, b) => a + b, 0));
}

function toy(): Problem {
  const problem = categoricalToy.create(withDefaults(categoricalToy.params, { dim: units, classes, t }));
  if (isStagedProblem(problem)) throw new Error('categorical-toy is a kernel suite');
  return problem;
}

describeEachBackend('a categorical row term', (backend, backendId) => {
  // 2 evaluations (spelled out by the CPU's loops) and 6 (a loop beyond 4); the fused loop (CPU) and the staged node.
  it.each([
    [2, 'fused'], [6, 'fused'], [2, 'staged'], [6, 'staged'],
  ] as const)('%i evaluations, %s: the gradient reads the sum over every unit, class and evaluation of the row', async (evaluations, path) => {
    const problem: Problem | StagedProblem = path === 'fused' ? toy() : kernelProblemAsStages(toy());
    const estimator = rowTermProbe(evaluations);
    const cell = prepareCell(backend(), { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize: 5 });
    try {
      const logits = Float64Array.from(toy().initialLogits, (value, index) => value + 0.4 * Math.sin(index + 1));
      const moments = await drawMoments({ cell, logits, baseline: new Float64Array(units * classes), samples: 10, batchSize: 5, rng: new Rng(hashSeed(1, 'row-term')) });
      const expected = expectedEstimate(logits, evaluations);
      // float32 on the GPU; the CPU computes in float64 in a different order.
      const tolerance = backendId === 'gpu' ? 1e-4 : 1e-10;
      expected.forEach((value, element) => expect(Math.abs(moments.mean[element] - value), `element ${element}`).toBeLessThan(tolerance * (1 + Math.abs(value))));
    } finally {
      cell.dispose();
    }
  });
});
