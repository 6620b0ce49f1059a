import { evaluationCount, noiseRowsPerSample } from '../core/estimator.js';
import { chunkSeeds, type Rng } from '../core/rng.js';
import type { HardNodeForward, HardNodeStage } from '../core/suite.js';
import type { HardNodeRequest } from '../core/backend.js';
import { deterministicOp, hardNodeNoiseWidth } from './hard-node-request.js';
import { initialStateArray } from '../core/estimator-state.js';
import { estimatorKernelCalls, hardOpCall } from './kernel-calls.js';
import { helperSources, namedFunctionSource } from '../core/kernel-source.js';
import { chunkNoiseSource } from './cpu-noise-source.js';
import { RowTaskRunner, taskArray } from './cpu-row-pool.js';
import { HardNodeHostTerms, hostTermArguments } from './hard-node-host-terms.js';

/** Noise of one forward pass, kept for the backward pass (the estimator's gradient reads u and v again). */
interface CpuNodeState {
  readonly probabilities: Float64Array;
  readonly noiseU: Float64Array;
  readonly noiseV: Float64Array;
  /** Whether the pass ran on the workers too (its arrays are then on shared memory). */
  readonly threaded: boolean;
}

/**
 * Generates the hard node's three tasks (forward, backward, baseline pilot) over a chunk of rows of
 * per-row logits (see `RowChunkCall`); `forward` draws the chunk's noise from its seed first. Row s,
 * evaluation e, element i reads noise column i (or e·width + i when every evaluation draws its own), as
 * the fused loops do, so a staged cell reproduces a fused cell's estimates. A
 * deterministic node computes h with the suite's op and its kernels read u = v = 0.
 */
export function cpuHardNodeSource(request: HardNodeRequest): string {
  const { estimator, estimatorParams, width } = request;
  // The host terms' arrays of the backward call, read at this element's and this row's index.
  const host = hostTermArguments(estimator, (array) => `${array}[base + i]`, (array) => `${array}[s]`);
  const op = deterministicOp(request);
  const evaluations = evaluationCount(estimator, estimatorParams);
  const noiseRows = noiseRowsPerSample(estimator, estimatorParams);
  const calls = estimatorKernelCalls(estimator, estimatorParams, width);
  const noiseColumn = (evaluation: string) => (noiseRows === 1 ? 'i' : `${evaluation} * ${width} + i`);
  const elementAt = (evaluation: string) => ({
    // p = theta on a deterministic node: read the logits rather than a copy of them.
    theta: 'logits[base + i]', probability: op ? 'logits[base + i]' : 'probabilities[base + i]',
    u: op ? '0' : `noiseU[noiseBase + ${noiseColumn(evaluation)}]`,
    v: op ? '0' : `noiseV[noiseBase + ${noiseColumn(evaluation)}]`,
    evaluation, unit: 'i', step: 'step',
  });
  const forwardCall = (evaluation: string) => (op ? hardOpCall(op, width, elementAt(evaluation)) : calls.forward(elementAt(evaluation)));
  const weight = estimator.kernels.baselineWeight;
  const rowTerm = estimator.kernels.rowTerm;
  // What gradient and rowTerm read of element i, evaluation e, of row s.
  const gradientArguments = {
    h: `h[row * ${width} + i]`,
    dLdh: `(hasGradient ? dLdh[row * ${width} + i] : 0)`,
    objective: '(hasObjectives ? objectives[row] : 0)',
    objectiveSum: 'objectiveSum',
    objectives: 'objectives', objectivesStart: `s * ${evaluations}`,
    baseline: '(hasBaseline ? baseline[i] : 0)',
  };
  const rowHeader = `const base = s * ${width}; const noiseBase = s * ${noiseRows * width};`;
  const noiseWidth = hardNodeNoiseWidth(request);
  return `"use strict";
    ${helperSources(estimator, null).join('\n')}
    ${op ? namedFunctionSource(op.kernel, `hard op ${op.id}`).source : ''}
    ${namedFunctionSource(estimator.kernels.forward, `${estimator.id} forward`).source}
    ${namedFunctionSource(estimator.kernels.gradient, `${estimator.id} gradient`).source}
    ${weight ? namedFunctionSource(weight, `${estimator.id} baselineWeight`).source : ''}
    ${rowTerm ? namedFunctionSource(rowTerm, `${estimator.id} rowTerm`).source : ''}
    ${chunkNoiseSource(op ? [] : estimator.noise, noiseWidth)}
    function forward(call, chunk, rowStart, rowEnd) {
      const { logits, probabilities, noiseU, noiseV, h, seeds } = call.arrays;
      const step = call.step;
      const state = call.arrays.state;
      ${noiseWidth > 0 ? `fillChunkNoise(new Rng(seeds[chunk]), rowEnd - rowStart, noiseU.subarray(rowStart * ${noiseWidth}, rowEnd * ${noiseWidth}),
        noiseV.subarray(rowStart * ${noiseWidth}, noiseV.length > 0 ? rowEnd * ${noiseWidth} : 0));` : ''}
      // The node's probabilities, sigmoid(theta) as nodeProbabilities computes it (a deterministic node reads the logits).
      ${op ? '' : `for (let index = rowStart * ${width}; index < rowEnd * ${width}; index++) probabilities[index] = 1 / (1 + Math.exp(-logits[index]));`}
      for (let s = rowStart; s < rowEnd; s++) {
        ${rowHeader}
        for (let e = 0; e < ${evaluations}; e++) {
          const hBase = (s * ${evaluations} + e) * ${width};
          for (let i = 0; i < ${width}; i++) h[hBase + i] = ${forwardCall('e')};
        }
      }
    }
    function backward(call, chunk, rowStart, rowEnd) {
      const { logits, probabilities, noiseU, noiseV, h, objectives, dLdh, baseline, out${host.arrays.map((name) => `, ${name}`).join('')} } = call.arrays;
      const step = call.step;
      const state = call.arrays.state;
      const hasObjectives = objectives.length > 0;
      const hasGradient = dLdh.length > 0;
      const hasBaseline = baseline.length > 0;
      for (let s = rowStart; s < rowEnd; s++) {
        ${rowHeader}
        let objectiveSum = 0;
        if (hasObjectives) for (let e = 0; e < ${evaluations}; e++) objectiveSum += objectives[s * ${evaluations} + e];
        let rowTermSum = 0;
        ${rowTerm ? `for (let i = 0; i < ${width}; i++) {
          for (let e = 0; e < ${evaluations}; e++) {
            const row = s * ${evaluations} + e;
            rowTermSum += ${calls.rowTerm(elementAt('e'), gradientArguments)};
          }
        }` : ''}
        for (let i = 0; i < ${width}; i++) {
          let g = 0;
          for (let e = 0; e < ${evaluations}; e++) {
            const row = s * ${evaluations} + e;
            g += ${calls.gradient(elementAt('e'), { ...gradientArguments, rowTermSum: 'rowTermSum' }, host.bindings)};
          }
          out[base + i] = g;
        }
      }
    }
    ${weight ? `function pilot(call, chunk, rowStart, rowEnd) {
      const { logits, probabilities, noiseU, noiseV, h, objectives, sums } = call.arrays;
      const step = call.step;
      const state = call.arrays.state;
      for (let s = rowStart; s < rowEnd; s++) {
        ${rowHeader}
        const objective = objectives[s * ${evaluations}];
        for (let i = 0; i < ${width}; i++) {
          const w = ${calls.baselineWeight(elementAt('0'), `h[s * ${evaluations * width} + i]`)};
          sums[i] += w * objective;
          sums[${width} + i] += w;
        }
      }
    }` : 'const pilot = null;'}
    return { forward, backward, pilot };`;
}

/**
 * A hard node on the CPU: generated tasks over chunks of rows, run on the calling thread or, for large
 * calls, shared with worker threads; each chunk draws its noise from its own seed of the fused cells'
 * chunked streams, so the numbers do not depend on the thread count.
 */
export class CpuHardNode implements HardNodeStage {
  readonly width: number;
  readonly evaluations: number;
  private readonly runner: RowTaskRunner;
  private readonly noiseWidth: number;
  /** The estimator's state values, read at every call (the harness rewrites them between calls). */
  private readonly state: Float64Array;
  private readonly hostTerms: HardNodeHostTerms;

  /** @param threads threads computing large calls, the calling thread included */
  constructor(private readonly request: HardNodeRequest, threads = 1) {
    this.width = request.width;
    this.evaluations = evaluationCount(request.estimator, request.estimatorParams);
    this.noiseWidth = hardNodeNoiseWidth(request);
    const { estimator, estimatorParams, nodeKind, width, classes } = request;
    this.state = request.estimatorState ?? initialStateArray(estimator, estimatorParams, { nodeKind, dim: width, ...(classes ? { classes } : {}) });
    this.runner = new RowTaskRunner(cpuHardNodeSource(request), threads);
    this.hostTerms = new HardNodeHostTerms(request, this.state);
  }

  async forward(logits: Float64Array, rows: number, rng: Rng, step: number): Promise<HardNodeForward> {
    const { estimator, op } = this.request;
    const seeds = this.noiseWidth > 0 ? chunkSeeds(rng, rows) : new Uint32Array(0);
    const threaded = this.runner.threaded(rows, this.noiseWidth, this.evaluations * this.width, this.width);
    const sharedLogits = taskArray(logits.subarray(0, rows * this.width), threaded);
    const arrays = {
      logits: sharedLogits,
      probabilities: op ? sharedLogits : taskArray(rows * this.width, threaded),
      noiseU: taskArray(rows * this.noiseWidth, threaded),
      noiseV: taskArray(estimator.noise.length > 1 ? rows * this.noiseWidth : 0, threaded),
      h: taskArray(rows * this.evaluations * this.width, threaded),
      seeds,
      state: taskArray(this.state, threaded),
    };
    await this.runner.run('forward', arrays, rows, step, threaded);
    const state: CpuNodeState = { probabilities: arrays.probabilities, noiseU: arrays.noiseU, noiseV: arrays.noiseV, threaded };
    return { rows, logits: sharedLogits, h: arrays.h, state };
  }

  async backward(
    pass: HardNodeForward, objectives: Float64Array | null, objectiveGradient: Float64Array | null, baseline: Float64Array | null, step: number,
  ): Promise<Float64Array> {
    const { probabilities, noiseU, noiseV, threaded } = pass.state as CpuNodeState;
    const empty = new Float64Array(0);
    const batch = { rows: pass.rows, logits: pass.logits, probabilities, noiseU, noiseV: noiseV.length > 0 ? noiseV : null, h: pass.h, step };
    const terms = this.hostTerms.compute(batch);
    const arrays = {
      ...Object.fromEntries(hostTermArguments(this.request.estimator, String, String).arrays.map((name, index) => [name, taskArray([...terms.element, ...terms.row][index], threaded)])),
      logits: pass.logits, probabilities, noiseU, noiseV, h: pass.h,
      objectives: taskArray(objectives ?? empty, threaded),
      dLdh: taskArray(objectiveGradient ?? empty, threaded),
      baseline: taskArray(baseline ?? empty, threaded),
      out: taskArray(pass.rows * this.width, threaded),
      state: taskArray(this.state, threaded),
    };
    await this.runner.run('backward', arrays, pass.rows, step, threaded);
    this.hostTerms.record(batch, arrays.out);
    return arrays.out;
  }

  async baselineSums(pass: HardNodeForward, objectives: Float64Array, step: number) {
    if (!this.runner.has('pilot')) throw new Error(`${this.request.estimator.id} declares no baseline`);
    const { probabilities, noiseU, noiseV } = pass.state as CpuNodeState;
    const sums = new Float64Array(2 * this.width);
    // On this thread, chunk after chunk: the sums then add the rows in the order of a single loop.
    await this.runner.run('pilot', { logits: pass.logits, probabilities, noiseU, noiseV, h: pass.h, objectives, sums, state: this.state }, pass.rows, step, false);
    return { weightedObjective: sums.slice(0, this.width), weight: sums.slice(this.width) };
  }

  dispose(): void {
    this.runner.dispose();
  }
}
