import { evaluationCount, noiseRowsPerSample, type NoiseKind } from '../estimators/estimator.js';
import { noiseChunkSamples, type Rng } from '../harness/rng.js';
import type { CellRequest } from './backend.js';
import { estimatorKernelCalls, objectiveKernelCalls } from './kernel-calls.js';
import { helperSources, namedFunctionSource } from './kernel-source.js';

/**
 * Sums over the samples of chunks [firstChunk, endChunk) of one call; `out` receives, per chunk,
 * 2 * dim numbers (estimate: sum then sum of squares; pilot: sum of w L then sum of w).
 */
export type ChunkLoop = (
  logits: Float64Array, probabilities: Float64Array, baseline: Float64Array, seeds: Uint32Array,
  firstChunk: number, endChunk: number, count: number, out: Float64Array, step: number,
) => void;

export interface CompiledLoops {
  readonly estimate: ChunkLoop;
  readonly pilot: ChunkLoop | null;
}

const noiseDraw: Record<NoiseKind, string> = { uniform: 'rng.nextUniform()', normal: 'rng.nextNormal()' };
const bulkFill: Record<NoiseKind, string> = { uniform: 'fillUniform', normal: 'fillNormal' };

/**
 * Generates the body of `function (Rng) { ... return { estimate, pilot } }`: one fused loop per cell
 * from the kernel functions' sources. Noise, forward pass, objective and gradient run element by
 * element with no batch-sized arrays, and parameters are inlined as constants so V8 can optimise the
 * whole loop. Worker threads compile the same text, so in-process and threaded runs agree exactly.
 */
export function cpuLoopSource(request: CellRequest): string {
  const { estimator, problem } = request;
  const forward = namedFunctionSource(estimator.kernels.forward, `${estimator.id} forward`);
  const gradient = namedFunctionSource(estimator.kernels.gradient, `${estimator.id} gradient`);
  const weight = estimator.kernels.baselineWeight
    ? namedFunctionSource(estimator.kernels.baselineWeight, `${estimator.id} baselineWeight`)
    : null;
  const value = namedFunctionSource(problem.objective.value, 'objective value');
  const objectiveGradient = namedFunctionSource(problem.objective.gradient, 'objective gradient');
  const calls = estimatorKernelCalls(estimator, request.estimatorParams, problem.dim);
  const objectiveCalls = objectiveKernelCalls(problem.objective, problem.dim);
  const evaluations = evaluationCount(estimator, request.estimatorParams);
  const [firstNoise, secondNoise] = estimator.noise;
  const noiseRows = noiseRowsPerSample(estimator, request.estimatorParams);
  const elementAt = (evaluation: string) => {
    const noiseIndex = noiseRows === 1 ? 'i' : `${evaluation} * dim + i`;
    return { theta: 'logits[i]', probability: 'probabilities[i]', u: `noiseU[${noiseIndex}]`, v: `noiseV[${noiseIndex}]`, evaluation, unit: 'i', step: 'step' };
  };
  const element = elementAt('e');
  const dLdh = estimator.needs.objectiveGradient ? objectiveCalls.gradient('hRows', 'e', 'i') : '0';

  // One noise kind: a bulk fill (same numbers, same order as per-element draws, state kept in locals).
  const drawNoise = !firstNoise
    ? ''
    : !secondNoise
      ? `rng.${bulkFill[firstNoise]}(noiseU, ${noiseRows} * dim);`
      : `for (let i = 0; i < ${noiseRows} * dim; i++) { noiseU[i] = ${noiseDraw[firstNoise]}; noiseV[i] = ${noiseDraw[secondNoise]}; }`;
  const chunkLoop = (name: string, withObjective: boolean, perElement: string) => `
    function ${name}(logits, probabilities, baseline, seeds, firstChunk, endChunk, count, out, step) {
      for (let chunk = firstChunk; chunk < endChunk; chunk++) {
        const rng = new Rng(seeds[chunk]);
        const offset = (chunk - firstChunk) * 2 * dim;
        const end = Math.min(count, (chunk + 1) * ${noiseChunkSamples});
        for (let s = chunk * ${noiseChunkSamples}; s < end; s++) {
          ${drawNoise}
          let objectiveSum = 0;
          for (let e = 0; e < ${evaluations}; e++) {
            const hRow = hRows[e];
            for (let i = 0; i < dim; i++) hRow[i] = ${calls.forward(element)};
            ${withObjective ? `objectives[e] = ${objectiveCalls.value('hRows', 'e')}; objectiveSum += objectives[e];` : ''}
          }
          for (let i = 0; i < dim; i++) {
            ${perElement}
          }
        }
      }
    }`;

  return `"use strict";
    ${helperSources(estimator, problem.objective).join('\n')}
    ${forward.source}
    ${gradient.source}
    ${weight ? weight.source : ''}
    ${value.source}
    ${objectiveGradient.source}
    const dim = ${problem.dim};
    const noiseU = new Float64Array(${noiseRows} * dim);
    const noiseV = new Float64Array(${noiseRows} * dim);
    const hRows = [];
    for (let e = 0; e < ${evaluations}; e++) hRows.push(new Float64Array(dim));
    const objectives = new Float64Array(${evaluations});
    ${chunkLoop('estimate', estimator.needs.objective, `
            let g = 0;
            for (let e = 0; e < ${evaluations}; e++) {
              g += ${calls.gradient(element, { h: 'hRows[e][i]', dLdh, objective: 'objectives[e]', objectiveSum: 'objectiveSum', baseline: 'baseline[i]' })};
            }
            out[offset + i] += g;
            out[offset + dim + i] += g * g;`)}
    ${weight ? chunkLoop('pilot', true, `
            const w = ${calls.baselineWeight(elementAt('0'), 'hRows[0][i]')};
            out[offset + i] += w * objectives[0];
            out[offset + dim + i] += w;`) : 'const pilot = null;'}
    return { estimate, pilot };`;
}

/** Compiles the loops in this thread. */
export function compileCpuLoops(source: string, rngClass: typeof Rng): CompiledLoops {
  return new Function('Rng', source)(rngClass) as CompiledLoops;
}
