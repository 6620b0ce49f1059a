import type { NoiseKind } from '../estimators/estimator.js';
import { nodeProbabilities } from '../harness/node-kinds.js';
import type { Rng } from '../harness/rng.js';
import type { BaselineSums, BatchMoments, CellRequest, ComputeBackend, PreparedCell } from './backend.js';
import { assertFiniteMoments, helperSources, namedFunctionSource, numberLiteral, parameterArguments } from './kernel-source.js';

type EstimateLoop = (
  logits: Float64Array, probabilities: Float64Array, baseline: Float64Array, count: number, rng: Rng,
  sum: Float64Array, sumOfSquares: Float64Array,
) => void;
type PilotLoop = (
  logits: Float64Array, probabilities: Float64Array, count: number, rng: Rng,
  weightedObjective: Float64Array, weight: Float64Array,
) => void;

const noiseDraw: Record<NoiseKind, string> = { uniform: 'rng.nextUniform()', normal: 'rng.nextNormal()' };

/**
 * Generates one fused loop per cell from the kernel functions' sources: noise, forward pass,
 * objective and gradient run element by element with no intermediate batch arrays, and the
 * estimator's parameters are inlined as constants so V8 can optimise the whole loop.
 */
function compileLoops(request: CellRequest): { estimate: EstimateLoop; pilot: PilotLoop | null } {
  const { estimator, estimatorParams, problem } = request;
  const forward = namedFunctionSource(estimator.kernels.forward, `${estimator.id} forward`);
  const gradient = namedFunctionSource(estimator.kernels.gradient, `${estimator.id} gradient`);
  const weight = estimator.kernels.baselineWeight
    ? namedFunctionSource(estimator.kernels.baselineWeight, `${estimator.id} baselineWeight`)
    : null;
  const value = namedFunctionSource(problem.objective.value, 'objective value');
  const objectiveGradient = namedFunctionSource(problem.objective.gradient, 'objective gradient');
  const params = parameterArguments(estimator, estimatorParams);
  const constants = problem.objective.constants.map((constant) => `, ${numberLiteral(constant)}`).join('');
  const evaluations = estimator.evaluations;
  const [firstNoise, secondNoise] = estimator.noise;

  const drawNoise = `
      for (let i = 0; i < dim; i++) {
        noiseU[i] = ${firstNoise ? noiseDraw[firstNoise] : '0'};
        noiseV[i] = ${secondNoise ? noiseDraw[secondNoise] : '0'};
      }`;
  const forwardPass = (withObjective: boolean) => `
      let objectiveSum = 0;
      for (let e = 0; e < ${evaluations}; e++) {
        const hRow = hRows[e];
        for (let i = 0; i < dim; i++) hRow[i] = ${forward.name}(logits[i], probabilities[i], noiseU[i], noiseV[i], e${params});
        ${withObjective ? `objectives[e] = ${value.name}(hRows, e, dim${constants}); objectiveSum += objectives[e];` : ''}
      }`;
  const dLdh = estimator.needs.objectiveGradient ? `${objectiveGradient.name}(hRows, e, i, dim${constants})` : '0';

  const source = `"use strict";
    ${helperSources(estimator, problem.objective).join('\n')}
    ${forward.source}
    ${gradient.source}
    ${weight ? weight.source : ''}
    ${value.source}
    ${objectiveGradient.source}
    const dim = ${problem.dim};
    const noiseU = new Float64Array(dim);
    const noiseV = new Float64Array(dim);
    const hRows = [];
    for (let e = 0; e < ${evaluations}; e++) hRows.push(new Float64Array(dim));
    const objectives = new Float64Array(${evaluations});
    function estimate(logits, probabilities, baseline, count, rng, sum, sumOfSquares) {
      for (let s = 0; s < count; s++) {
        ${drawNoise}
        ${forwardPass(estimator.needs.objective)}
        for (let i = 0; i < dim; i++) {
          let g = 0;
          for (let e = 0; e < ${evaluations}; e++) {
            g += ${gradient.name}(logits[i], probabilities[i], noiseU[i], noiseV[i], hRows[e][i], ${dLdh},
              objectives[e], objectiveSum, baseline[i], e${params});
          }
          sum[i] += g;
          sumOfSquares[i] += g * g;
        }
      }
    }
    function pilot(logits, probabilities, count, rng, weightedObjective, weight) {
      ${weight ? '' : 'throw new Error("this estimator has no baseline");'}
      for (let s = 0; s < count; s++) {
        ${drawNoise}
        ${forwardPass(true)}
        for (let i = 0; i < dim; i++) {
          const w = ${weight ? `${weight.name}(logits[i], probabilities[i], noiseU[i], noiseV[i], hRows[0][i]${params})` : '0'};
          weightedObjective[i] += w * objectives[0];
          weight[i] += w;
        }
      }
    }
    return { estimate, pilot };`;
  const loops = new Function(source)() as { estimate: EstimateLoop; pilot: PilotLoop };
  return { estimate: loops.estimate, pilot: weight ? loops.pilot : null };
}

class CpuPreparedCell implements PreparedCell {
  private readonly loops: ReturnType<typeof compileLoops>;

  constructor(private readonly request: CellRequest) {
    this.loops = compileLoops(request);
  }

  async estimateMoments(logits: Float64Array, baseline: Float64Array, count: number, rng: Rng): Promise<BatchMoments> {
    const dim = this.request.problem.dim;
    const sum = new Float64Array(dim);
    const sumOfSquares = new Float64Array(dim);
    const probabilities = nodeProbabilities(this.request.problem.nodeKind, logits);
    this.loops.estimate(logits, probabilities, baseline, count, rng, sum, sumOfSquares);
    const mean = sum.map((total) => total / count);
    // Float64 sums of O(1) values: the one-pass formula loses nothing that matters at these counts.
    const sumOfSquaredDeviations = sumOfSquares.map((squares, unit) => Math.max(0, squares - sum[unit] * mean[unit]));
    assertFiniteMoments(mean, `${this.request.estimator.id} mean gradient`);
    assertFiniteMoments(sumOfSquaredDeviations, `${this.request.estimator.id} gradient variance`);
    return { count, mean, sumOfSquaredDeviations };
  }

  async baselineSums(logits: Float64Array, count: number, rng: Rng): Promise<BaselineSums> {
    if (!this.loops.pilot) throw new Error(`${this.request.estimator.id} declares no baseline`);
    const dim = this.request.problem.dim;
    const weightedObjective = new Float64Array(dim);
    const weight = new Float64Array(dim);
    this.loops.pilot(logits, nodeProbabilities(this.request.problem.nodeKind, logits), count, rng, weightedObjective, weight);
    return { weightedObjective, weight };
  }

  dispose(): void {}
}

/** The reference backend: fused JavaScript loops over typed arrays, single-threaded. */
export async function createCpuBackend(): Promise<ComputeBackend> {
  return {
    id: 'cpu',
    mode: 'cpu:fused-js',
    details: { engine: `V8 ${process.versions.v8}`, node: process.version },
    fallbacks: [],
    prepare: (request) => new CpuPreparedCell(request),
    dispose() {},
  };
}
