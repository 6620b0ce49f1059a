import type { CellRequest } from '../core/backend.js';
import { categoricalCpuKernelSources, categoricalShape, categoricalUnitStatements } from './categorical-kernel-calls.js';
import { chunkStride } from './cpu-loops.js';
import { elementLoopWithNoise, rngConstants, rngStateDeclaration } from './cpu-rng-source.js';
import { objectiveGradientAtElement, objectiveKernelOnRow } from './kernel-body.js';
import { objectiveKernelCalls } from './kernel-calls.js';
import { namedFunctionSource, objectiveKernelSources } from '../core/kernel-source.js';
import { noiseChunkSamples } from '../core/rng.js';

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
 * sample, then evaluation row when each draws its own, then unit, then draw), the estimator's forward
 * per unit and evaluation, the objective's values and dL/dh, the estimator's backward per unit, and the
 * per-element sums. What the estimator prepares from the logits (`unitPrepare`) is computed once per
 * call, since every sample shares the logits. The unit statements are the staged node's own
 * (`categoricalUnitStatements`), so a fused and a staged cell give the same estimates, to the last bit
 * (test/cpu-categorical-loops.test.ts).
 */
export function cpuCategoricalLoopSource(request: CellRequest): string {
  const { estimator, estimatorParams, problem } = request;
  const shape = shapeOf(request);
  const { width, classes, units, evaluations, exponentialsPerUnit, noiseWidth, noiseEvaluationStride } = shape;
  const { needs } = estimator;
  const { prepare: prepareUnit, forward: forwardUnit, backward: backwardUnit, rowTermSum } = categoricalUnitStatements(estimator, estimatorParams, shape, {
    unitStart: `unit * ${classes}`,
    exponentials: 'noiseRow', noiseStart: `e * ${noiseEvaluationStride} + unit * ${exponentialsPerUnit}`,
    h: 'hAll', dLdh: 'dLdhAll', hStart: `e * ${width} + unit * ${classes}`,
    objective: 'objectives[e]', objectives: 'objectives', objectivesStart: '0',
    out: 'gradRow', outStart: `unit * ${classes}`,
  });

  // The objective reads one row of h directly, or one element, where its kernels' bodies allow it (kernel-body.ts).
  const objective = problem.objective;
  const valueOnRow = objectiveKernelOnRow(objective.value, 'objective value');
  const gradientAtElement = objectiveGradientAtElement(objective.gradient, 'objective gradient');
  const rowCalls = objectiveKernelCalls({ ...objective, value: valueOnRow ?? objective.value }, width);
  const elementCalls = objectiveKernelCalls({ ...objective, gradient: gradientAtElement ?? objective.gradient }, width);
  const objectiveValue = valueOnRow ? rowCalls.value('hRows[e]', 'e') : rowCalls.value('hRows', 'e');
  const objectiveGradient = gradientAtElement ? elementCalls.gradient(`hAll[e * ${width} + i]`, 'e', 'i') : elementCalls.gradient('hRows', 'e', 'i');
  const objectiveSources = [
    ...objectiveKernelSources(objective),
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
    ${prepareUnit ? `const prepared = new Float64Array(${width});` : ''}
    function estimate(logits, probabilities, baseline, seeds, firstChunk, endChunk, count, out, step, state) {
      ${prepareUnit ? `for (let unit = 0; unit < ${units}; unit++) ${prepareUnit}` : ''}
      for (let chunk = firstChunk; chunk < endChunk; chunk++) {
        ${rngStateDeclaration('seeds[chunk]')}
        const offset = chunk * ${chunkStride(width)};
        const end = Math.min(count, (chunk + 1) * ${noiseChunkSamples});
        for (let s = chunk * ${noiseChunkSamples}; s < end; s++) {
          ${elementLoopWithNoise(['exponential'], noiseWidth, 'noiseRow[i] = drawnU;')}
          for (let e = 0; e < ${evaluations}; e++) {
            for (let unit = 0; unit < ${units}; unit++) ${forwardUnit}
          }
          ${objectivePass}
          ${objectiveGradientPass}
          ${rowTermSum}
          for (let unit = 0; unit < ${units}; unit++) {
            ${backwardUnit}
            for (let i = unit * ${classes}; i < (unit + 1) * ${classes}; i++) {
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
