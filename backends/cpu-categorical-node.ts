import { chunkSeeds, type Rng } from '../core/rng.js';
import { initialStateArray } from '../core/estimator-state.js';
import type { HardNodeForward, HardNodeStage } from '../core/suite.js';
import type { HardNodeRequest } from '../core/backend.js';
import { categoricalCpuKernelSources, categoricalShape, categoricalUnitStatements, preparesUnits, type CategoricalShape } from './categorical-kernel-calls.js';
import { chunkNoiseSource } from './cpu-noise-source.js';
import { rowSoftmaxSource } from './cpu-row-softmax.js';
import { RowTaskRunner, taskArray } from './cpu-row-pool.js';
import { HardNodeHostTerms, hostTermArguments } from './hard-node-host-terms.js';

/** What one forward pass keeps for its backward pass. */
interface CpuCategoricalState {
  readonly probabilities: Float64Array;
  /** What the estimator's `unitPrepare` computed from each row (empty without one). */
  readonly prepared: Float64Array;
  readonly exponentials: Float64Array;
  /** Whether the pass ran on the workers too (its arrays are then on shared memory). */
  readonly threaded: boolean;
}

/**
 * Generates the categorical node's tasks over a chunk of rows (see `RowChunkCall`): `forward` draws
 * the chunk's exponentials from its noise seed, takes the softmax of its rows and computes h; `backward`
 * computes dL/dlogits. Row s, evaluation e, unit, class. An estimator with unit forms
 * (`CategoricalKernels.unitForward`, `unitGradient`) gets one call per unit, which computes what the unit's
 * classes share once; otherwise one element call per class, each reading its whole unit.
 */
export function cpuCategoricalNodeSource(request: HardNodeRequest, shape: CategoricalShape): string {
  const { estimator, estimatorParams } = request;
  const { width, classes, units, evaluations, exponentialsPerUnit, noiseWidth, noiseEvaluationStride } = shape;
  const perEvaluation = request.logitsPerEvaluation === true;
  const host = hostTermArguments(estimator, (array) => `${array}[unitStart + c]`, (array) => `${array}[s]`);
  // With logits per evaluation, logits, probabilities and the output are indexed like h.
  const logitRow = perEvaluation ? `(s * ${evaluations} + e)` : 's';
  const { prepare: prepareUnit, forward: forwardUnit, backward: backwardUnit, rowTermSum } = categoricalUnitStatements(estimator, estimatorParams, shape, {
    perEvaluation,
    unitStart: `${logitRow} * ${width} + unit * ${classes}`,
    exponentials: 'exponentials', noiseStart: `s * ${noiseWidth} + e * ${noiseEvaluationStride} + unit * ${exponentialsPerUnit}`,
    h: 'h', dLdh: 'dLdh', hStart: `(s * ${evaluations} + e) * ${width} + unit * ${classes}`,
    objective: `objectives[s * ${evaluations} + e]`, objectives: 'objectives', objectivesStart: `s * ${evaluations}`,
    out: 'out', outStart: `${logitRow} * ${width} + unit * ${classes}`,
    // The host terms' arrays of the backward call, read at this element's and this row's index.
    hostTerms: host.bindings,
  });
  const prepareUnits = prepareUnit ? `for (let unit = 0; unit < ${units}; unit++) ${prepareUnit}` : '';
  const logitRowsPerRow = perEvaluation ? evaluations : 1;
  const { needs } = estimator;
  return `"use strict";
    ${chunkNoiseSource(['uniform'], noiseWidth, true)}
    ${rowSoftmaxSource(width, classes)}
    ${categoricalCpuKernelSources(estimator).join('\n')}
    function forward(call, chunk, rowStart, rowEnd) {
      const { logits, probabilities, prepared, exponentials, h, seeds } = call.arrays;
      const step = call.step;
      const state = call.arrays.state;
      fillChunkNoise(new Rng(seeds[chunk]), rowEnd - rowStart, exponentials.subarray(rowStart * ${noiseWidth}, rowEnd * ${noiseWidth}), null);
      rowSoftmax(logits, probabilities, rowStart * ${logitRowsPerRow}, rowEnd * ${logitRowsPerRow});
      const scratch = new Float64Array(${2 * classes});
      for (let s = rowStart; s < rowEnd; s++) {
        ${perEvaluation ? '' : prepareUnits}
        for (let e = 0; e < ${evaluations}; e++) {
          ${perEvaluation ? prepareUnits : ''}
          for (let unit = 0; unit < ${units}; unit++) ${forwardUnit}
        }
      }
    }
    function backward(call, chunk, rowStart, rowEnd) {
      const { logits, probabilities, prepared, exponentials, h, objectives, dLdh, out${host.arrays.map((name) => `, ${name}`).join('')} } = call.arrays;
      const step = call.step;
      const state = call.arrays.state;
      const scratch = new Float64Array(${2 * classes});
      for (let s = rowStart; s < rowEnd; s++) {
        let objectiveSum = 0;
        ${needs.objective ? `for (let e = 0; e < ${evaluations}; e++) objectiveSum += objectives[s * ${evaluations} + e];` : ''}
        ${rowTermSum}
        for (let unit = 0; unit < ${units}; unit++) {
          ${backwardUnit}
        }
      }
    }
    return { forward, backward };`;
}

/**
 * A categorical hard node on the CPU: generated tasks over chunks of rows of unit-major logits, run on
 * the calling thread or, for large calls, shared with worker threads. Each chunk draws its exponential
 * noise from its own seed of the call's chunked streams (the GPU node draws the same), so the numbers do
 * not depend on the thread count.
 */
export class CpuCategoricalNode implements HardNodeStage {
  readonly width: number;
  readonly evaluations: number;
  private readonly shape: CategoricalShape;
  private readonly runner: RowTaskRunner;
  private readonly preparesUnits: boolean;
  /** Rows of logits (and of dL/dlogits) per row: the evaluations when each has its own logits, else 1. */
  private readonly logitRowsPerRow: number;
  /** The estimator's state values, read at every call (the harness rewrites them between calls). */
  private readonly state: Float64Array;
  private readonly hostTerms: HardNodeHostTerms;

  /** @param threads threads computing large calls, the calling thread included */
  constructor(private readonly request: HardNodeRequest, threads = 1) {
    this.shape = categoricalShape(request);
    this.width = request.width;
    this.evaluations = this.shape.evaluations;
    this.preparesUnits = preparesUnits(request.estimator);
    this.logitRowsPerRow = request.logitsPerEvaluation ? this.evaluations : 1;
    this.runner = new RowTaskRunner(cpuCategoricalNodeSource(request, this.shape), threads);
    const { estimator, estimatorParams, nodeKind, width, classes } = request;
    this.state = request.estimatorState ?? initialStateArray(estimator, estimatorParams, { nodeKind, dim: width, ...(classes ? { classes } : {}) });
    this.hostTerms = new HardNodeHostTerms(request, this.state);
  }

  async forward(logits: Float64Array, rows: number, rng: Rng, step: number): Promise<HardNodeForward> {
    const { noiseWidth } = this.shape;
    const seeds = chunkSeeds(rng, rows);
    const threaded = this.runner.threaded(rows, noiseWidth, this.evaluations * this.width, this.width);
    const logitCount = rows * this.logitRowsPerRow * this.width;
    const arrays = {
      logits: taskArray(logits.subarray(0, logitCount), threaded),
      probabilities: taskArray(logitCount, threaded),
      prepared: taskArray(this.preparesUnits ? logitCount : 0, threaded),
      exponentials: taskArray(rows * noiseWidth, threaded),
      h: taskArray(rows * this.evaluations * this.width, threaded),
      seeds,
      state: taskArray(this.state, threaded),
    };
    await this.runner.run('forward', arrays, rows, step, threaded);
    const state: CpuCategoricalState = { probabilities: arrays.probabilities, prepared: arrays.prepared, exponentials: arrays.exponentials, threaded };
    return { rows, logits: arrays.logits, h: arrays.h, state };
  }

  async backward(pass: HardNodeForward, objectives: Float64Array | null, objectiveGradient: Float64Array | null, _baseline: Float64Array | null, step: number) {
    const { probabilities, prepared, exponentials, threaded } = pass.state as CpuCategoricalState;
    const empty = new Float64Array(0);
    const batch = { rows: pass.rows, logits: pass.logits, probabilities, noiseU: null, noiseV: null, exponentials, h: pass.h, step, objectives };
    const terms = this.hostTerms.compute(batch);
    const arrays = {
      ...Object.fromEntries(hostTermArguments(this.request.estimator, String, String).arrays.map((name, index) => [name, taskArray([...terms.element, ...terms.row][index], threaded)])),
      logits: pass.logits, probabilities, prepared, exponentials, h: pass.h,
      objectives: taskArray(objectives ?? empty, threaded),
      dLdh: taskArray(objectiveGradient ?? empty, threaded),
      out: taskArray(pass.rows * this.logitRowsPerRow * this.width, threaded),
      state: taskArray(this.state, threaded),
    };
    await this.runner.run('backward', arrays, pass.rows, step, threaded);
    this.hostTerms.record(batch, arrays.out);
    return arrays.out;
  }

  async baselineSums(): Promise<{ weightedObjective: Float64Array; weight: Float64Array }> {
    throw new Error(`${this.request.estimator.id}: categorical nodes take no per-element baseline`);
  }

  dispose(): void {
    this.runner.dispose();
  }
}
