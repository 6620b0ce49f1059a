import type { CellRequest } from './backend.js';
import {
  categoricalCpuKernelSources, categoricalKernelCalls, categoricalShape, categoricalUnitCalls,
} from './categorical-kernel-calls.js';
import { chunkStride } from './cpu-loops.js';
import { elementLoopWithNoise, rngConstants, rngStateDeclaration } from './cpu-rng-source.js';
import { objectiveGradientAtElement, objectiveKernelOnRow } from './kernel-body.js';
import { objectiveKernelCalls } from './kernel-calls.js';
import { namedFunctionSource } from './kernel-source.js';
import { noiseChunkSamples } from '../harness/rng.js';

/** The categorical node's shape for a kernel problem's cell. */
function shapeOf(request: CellRequest) {
  const { estimator, estimatorParams, problem } = request;
  return categoricalShape({ estimator, estimatorParams, nodeKind: 'categorical', width: problem.dim, ...(problem.classes === undefined ? {} : { classes: problem.classes }) });
}

/**
 * Numbers one sample computes, for the backend's threading threshold (counted in element
 * evaluations): its h values and its exponential draws, each about as costly as a Bernoulli element
 * evaluation. Measured at 32 × 6, S 8192 (where units · K · S alone is below the threshold): two
 * threads ran every categorical estimator 1.6–1.9× faster than one.
 */
export function categoricalNumbersPerSample(request: CellRequest): number {
  const { width, evaluations, noiseWidth } = shapeOf(request);
  return width * evaluations + noiseWidth;
}

/**
 * Generates the body of `function (Rng) { ... return { estimate, pilot, shape } }` for a kernel problem
 * on a **categorical** node: the same `ChunkLoop` contract as the Bernoulli loops (cpu-loops.ts), one
 * sample at a time with every row in a preallocated local array, so a batch allocates nothing and
 * stays in the first-level cache. Per sample: the row's exponential draws (the ziggurat of
 * `Rng.nextExponential`, in the order the staged categorical node draws them from the chunk's stream:
 * sample, then evaluation row when each draws its own, then unit, then draw), the estimator's forward per unit and evaluation, the objective's
 * values and dL/dh, the estimator's backward per unit (each evaluation's contribution added in
 * evaluation order), and the per-element sums. The kernel calls are bound exactly as the staged node
 * binds them (its unit forms where the estimator has them), so a fused and a staged cell give the same
 * estimates, to the last bit (test/cpu-categorical-loops.test.ts).
 */
export function cpuCategoricalLoopSource(request: CellRequest): string {
  const { estimator, estimatorParams, problem } = request;
  const shape = shapeOf(request);
  const { width, classes, units, evaluations, exponentialsPerUnit, noiseWidth, noiseEvaluationStride } = shape;
  const calls = categoricalKernelCalls(estimator, estimatorParams, shape);
  const unitCalls = categoricalUnitCalls(estimator, estimatorParams, shape);
  const { needs } = estimator;

  const element = {
    logits: 'logits', probabilities: 'probabilities', exponentials: 'noiseRow', unitStart: 'unitStart', noiseStart: 'noiseStart',
    classIndex: 'c', unit: 'unit', evaluation: 'e', step: 'step',
  };
  const unitArguments = (out: string, outStart: string) => ({ ...element, out, outStart, scratch: 'scratch' });
  const gradientArguments = {
    hValues: 'hAll', hStart: 'hStart',
    dLdhValues: needs.objectiveGradient ? 'dLdhAll' : null,
    objective: needs.objective ? 'objectives[e]' : null,
    objectiveSum: needs.objective ? 'objectiveSum' : null,
  };
  const offsets = `const noiseStart = e * ${noiseEvaluationStride} + unit * ${exponentialsPerUnit};`;

  const forwardUnit = unitCalls.forward
    ? `${unitCalls.forward(unitArguments('hAll', `e * ${width} + unitStart`))};`
    : `for (let c = 0; c < ${classes}; c++) hAll[e * ${width} + unitStart + c] = ${calls.forward(element)};`;
  // Both forms add evaluation e's contribution in the same order (0 + e0 + e1 + ...), as the staged node does.
  const backwardUnit = unitCalls.gradient
    ? `for (let c = 0; c < ${classes}; c++) gradRow[unitStart + c] = 0;
        for (let e = 0; e < ${evaluations}; e++) {
          ${offsets}
          const hStart = e * ${width} + unitStart;
          ${unitCalls.gradient(unitArguments('gradRow', 'unitStart'), gradientArguments)};
        }`
    : `for (let c = 0; c < ${classes}; c++) {
          let g = 0;
          for (let e = 0; e < ${evaluations}; e++) {
            ${offsets}
            const hStart = e * ${width} + unitStart;
            g += ${calls.gradient(element, gradientArguments)};
          }
          gradRow[unitStart + c] = g;
        }`;

  // The objective reads one row of h directly, or one element, where its kernels' bodies allow it (kernel-body.ts).
  const objective = problem.objective;
  const valueOnRow = objectiveKernelOnRow(objective.value, 'objective value');
  const gradientAtElement = objectiveGradientAtElement(objective.gradient, 'objective gradient');
  const rowCalls = objectiveKernelCalls({ ...objective, value: valueOnRow ?? objective.value }, width);
  const elementCalls = objectiveKernelCalls({ ...objective, gradient: gradientAtElement ?? objective.gradient }, width);
  const objectiveValue = valueOnRow ? rowCalls.value('hRows[e]', 'e') : rowCalls.value('hRows', 'e');
  const objectiveGradient = gradientAtElement ? elementCalls.gradient(`hAll[e * ${width} + i]`, 'e', 'i') : elementCalls.gradient('hRows', 'e', 'i');
  const objectiveSources = [
    ...(objective.helpers ?? []).map((helper) => namedFunctionSource(helper, 'objective helper').source),
    namedFunctionSource(objective.value, 'objective value').source,
    namedFunctionSource(objective.gradient, 'objective gradient').source,
    ...[valueOnRow, gradientAtElement].flatMap((rewritten) => (rewritten ? [namedFunctionSource(rewritten, 'objective kernel').source] : [])),
  ];
  const objectivePass = needs.objective
    ? `let objectiveSum = 0;
        for (let e = 0; e < ${evaluations}; e++) { objectives[e] = ${objectiveValue}; objectiveSum += objectives[e]; }`
    : '';
  const objectiveGradientPass = needs.objectiveGradient
    ? `for (let e = 0; e < ${evaluations}; e++) for (let i = 0; i < ${width}; i++) dLdhAll[e * ${width} + i] = ${objectiveGradient};`
    : '';

  return `"use strict";
    ${[...new Set([...categoricalCpuKernelSources(estimator), ...objectiveSources])].join('\n')}
    ${rngConstants(['exponential'])}
    const noiseRow = new Float64Array(${Math.max(1, noiseWidth)});
    const hAll = new Float64Array(${evaluations * width});
    const dLdhAll = new Float64Array(${needs.objectiveGradient ? evaluations * width : 1});
    const hRows = [];
    for (let e = 0; e < ${evaluations}; e++) hRows.push(hAll.subarray(e * ${width}, (e + 1) * ${width}));
    const objectives = new Float64Array(${evaluations});
    const gradRow = new Float64Array(${width});
    const scratch = new Float64Array(${2 * classes});
    function estimate(logits, probabilities, baseline, seeds, firstChunk, endChunk, count, out, step) {
      for (let chunk = firstChunk; chunk < endChunk; chunk++) {
        ${rngStateDeclaration('seeds[chunk]')}
        const offset = chunk * ${chunkStride(width)};
        const end = Math.min(count, (chunk + 1) * ${noiseChunkSamples});
        for (let s = chunk * ${noiseChunkSamples}; s < end; s++) {
          ${elementLoopWithNoise(['exponential'], noiseWidth, 'noiseRow[i] = drawnU;')}
          for (let e = 0; e < ${evaluations}; e++) {
            for (let unit = 0; unit < ${units}; unit++) {
              const unitStart = unit * ${classes};
              ${offsets}
              ${forwardUnit}
            }
          }
          ${objectivePass}
          ${objectiveGradientPass}
          for (let unit = 0; unit < ${units}; unit++) {
            const unitStart = unit * ${classes};
            ${backwardUnit}
            for (let i = unitStart; i < unitStart + ${classes}; i++) {
              const value = gradRow[i];
              out[offset + i] += value;
              out[offset + ${width} + i] += value * value;
            }
          }
        }
      }
    }
    return { estimate, pilot: null, shape: 'row-passes' };`;
}
