import { nodeProbabilities } from '../harness/node-kinds.js';
import { chunkSeeds, type Rng } from '../harness/rng.js';
import type { HardNodeForward, HardNodeStage } from '../suites/suite.js';
import type { HardNodeRequest } from './backend.js';
import { categoricalKernelCalls, categoricalKernelSources, categoricalShape, type CategoricalShape } from './categorical-kernel-calls.js';
import { fillExponentials } from './categorical-noise.js';

/** The CPU categorical node's loops over rows, compiled from the estimator's categorical kernel sources. */
interface CategoricalLoops {
  forward(logits: Float64Array, probabilities: Float64Array, exponentials: Float64Array, rows: number, step: number, h: Float64Array): void;
  backward(
    logits: Float64Array, probabilities: Float64Array, exponentials: Float64Array, h: Float64Array,
    objectives: Float64Array, dLdh: Float64Array, rows: number, step: number, out: Float64Array,
  ): void;
}

/** What one forward pass keeps for its backward pass. */
interface CpuCategoricalState {
  readonly probabilities: Float64Array;
  readonly exponentials: Float64Array;
}

/**
 * Generates the categorical node's loops: row s, evaluation e, unit, class. Every element's kernel call
 * reads its whole unit through the flat arrays and the unit's offsets (see `CategoricalKernels`).
 */
export function cpuCategoricalNodeSource(request: HardNodeRequest, shape: CategoricalShape): string {
  const { estimator, estimatorParams } = request;
  const { width, classes, units, evaluations, exponentialsPerUnit, noiseWidth, noiseEvaluationStride } = shape;
  const calls = categoricalKernelCalls(estimator, estimatorParams, shape);
  const element = (evaluation: string) => ({
    logits: 'logits', probabilities: 'probabilities', exponentials: 'exponentials', unitStart: 'unitStart', noiseStart: 'noiseStart',
    classIndex: 'c', unit: 'unit', evaluation, step: 'step',
  });
  const unitOffsets = (evaluation: string) => `const unitStart = s * ${width} + unit * ${classes};
    const noiseStart = s * ${noiseWidth} + ${evaluation} * ${noiseEvaluationStride} + unit * ${exponentialsPerUnit};`;
  const { needs } = estimator;
  return `"use strict";
    ${categoricalKernelSources(estimator).join('\n')}
    function forward(logits, probabilities, exponentials, rows, step, h) {
      for (let s = 0; s < rows; s++) {
        for (let e = 0; e < ${evaluations}; e++) {
          const hRow = (s * ${evaluations} + e) * ${width};
          for (let unit = 0; unit < ${units}; unit++) {
            ${unitOffsets('e')}
            for (let c = 0; c < ${classes}; c++) h[hRow + unit * ${classes} + c] = ${calls.forward(element('e'))};
          }
        }
      }
    }
    function backward(logits, probabilities, exponentials, h, objectives, dLdh, rows, step, out) {
      for (let s = 0; s < rows; s++) {
        let objectiveSum = 0;
        ${needs.objective ? `for (let e = 0; e < ${evaluations}; e++) objectiveSum += objectives[s * ${evaluations} + e];` : ''}
        for (let unit = 0; unit < ${units}; unit++) {
          for (let c = 0; c < ${classes}; c++) {
            let g = 0;
            for (let e = 0; e < ${evaluations}; e++) {
              ${unitOffsets('e')}
              const row = s * ${evaluations} + e;
              const hStart = row * ${width} + unit * ${classes};
              g += ${calls.gradient(element('e'), {
                hValues: 'h', hStart: 'hStart',
                dLdhValues: needs.objectiveGradient ? 'dLdh' : null,
                objective: needs.objective ? 'objectives[row]' : null,
                objectiveSum: needs.objective ? 'objectiveSum' : null,
              })};
            }
            out[s * ${width} + unit * ${classes} + c] = g;
          }
        }
      }
    }
    return { forward, backward };`;
}

/**
 * A categorical hard node on the CPU: generated loops over rows of unit-major logits, exponential noise
 * drawn on the host from the cell's chunked streams (the GPU node draws the same).
 */
export class CpuCategoricalNode implements HardNodeStage {
  readonly width: number;
  readonly evaluations: number;
  private readonly shape: CategoricalShape;
  private readonly loops: CategoricalLoops;

  constructor(private readonly request: HardNodeRequest) {
    this.shape = categoricalShape(request);
    this.width = request.width;
    this.evaluations = this.shape.evaluations;
    this.loops = new Function(cpuCategoricalNodeSource(request, this.shape))() as CategoricalLoops;
  }

  async forward(logits: Float64Array, rows: number, rng: Rng, step: number): Promise<HardNodeForward> {
    const exponentials = new Float64Array(rows * this.shape.noiseWidth);
    fillExponentials(chunkSeeds(rng, rows), rows, this.shape.noiseWidth, exponentials);
    const probabilities = nodeProbabilities('categorical', logits.subarray(0, rows * this.width), this.shape.classes);
    const h = new Float64Array(rows * this.evaluations * this.width);
    this.loops.forward(logits, probabilities, exponentials, rows, step, h);
    const state: CpuCategoricalState = { probabilities, exponentials };
    return { rows, logits, h, state };
  }

  async backward(pass: HardNodeForward, objectives: Float64Array | null, objectiveGradient: Float64Array | null, _baseline: Float64Array | null, step: number) {
    const { probabilities, exponentials } = pass.state as CpuCategoricalState;
    const out = new Float64Array(pass.rows * this.width);
    const empty = new Float64Array(0);
    this.loops.backward(pass.logits, probabilities, exponentials, pass.h, objectives ?? empty, objectiveGradient ?? empty, pass.rows, step, out);
    return out;
  }

  async baselineSums(): Promise<{ weightedObjective: Float64Array; weight: Float64Array }> {
    throw new Error(`${this.request.estimator.id}: categorical nodes take no per-element baseline`);
  }

  dispose(): void {}
}
