import { evaluationCount, noiseRowsPerSample } from '../core/estimator.js';
import { nodeProbabilities } from '../core/node-kinds.js';
import { chunkSeeds, noiseChunkSamples, type Rng } from '../core/rng.js';
import type { HardNodeForward, HardNodeStage } from '../core/suite.js';
import type { HardNodeRequest } from '../core/backend.js';
import { gpuStateArguments, gpuStateParameter, withCheckedMathFunctions } from './gpu-kernels.js';
import type { GpuJsKernel, GpuRuntime } from './gpu-runtime.js';
import { destroyKernel } from './gpu-kernel-release.js';
import { deterministicOp, hardNodeNoiseWidth } from './hard-node-request.js';
import { estimatorKernelCalls, hardOpCall } from './kernel-calls.js';
import { initialStateArray } from '../core/estimator-state.js';
import { fillNoise } from './noise.js';
import { HardNodeHostTerms, hostTermArguments } from './hard-node-host-terms.js';

interface PieceKernels {
  readonly forward: GpuJsKernel;
  readonly backward: GpuJsKernel;
  readonly pilotWeight: GpuJsKernel | null;
}

interface GpuNodeState {
  readonly probabilities: Float64Array;
  readonly noiseU: Float32Array | null;
  readonly noiseV: Float32Array | null;
}

/**
 * gpu.js sources of a hard node's kernels over `rows` rows (thread.x = element, thread.y = row). A
 * deterministic node's kernels take no noise: h is the suite's op of theta, and u = v = 0.
 */
function hardNodeKernelSources(request: HardNodeRequest) {
  const { estimator, estimatorParams, width } = request;
  const op = deterministicOp(request);
  const evaluations = evaluationCount(estimator, estimatorParams);
  const noiseRows = noiseRowsPerSample(estimator, estimatorParams);
  const calls = estimatorKernelCalls(estimator, estimatorParams, width);
  const { needs } = estimator;
  const hasU = !op;
  const hasV = hasU && estimator.noise.length > 1;
  const noise = hasV ? 'noiseU, noiseV, ' : hasU ? 'noiseU, ' : '';
  const elementAt = (evaluation: string, index = 'i') => {
    const column = noiseRows === 1 ? index : `${evaluation} * ${width} + ${index}`;
    return {
      theta: `theta[s][${index}]`, probability: `probabilities[s][${index}]`, u: hasU ? `noiseU[s][${column}]` : '0', v: hasV ? `noiseV[s][${column}]` : '0',
      evaluation, unit: index, step: 'step',
    };
  };
  /** gradient's (and rowTerm's) arguments for element `index` of evaluation `evaluation` (h row `row`). */
  const gradientArguments = (row: string, index: string) => ({
    h: `h[${row}][${index}]`,
    dLdh: needs.objectiveGradient ? `dLdh[${row}][${index}]` : '0',
    objective: needs.objective ? `objectives[${row}]` : '0',
    objectiveSum: 'objectiveSum',
    objectives: needs.objective ? 'objectives' : '0', objectivesStart: `s * ${evaluations}`,
    baseline: `baseline[${index}]`,
  });
  // Each thread sums the row term over its row itself (a row is at most a few hundred elements).
  const rowTermSum = estimator.kernels.rowTerm
    ? `for (let termElement = 0; termElement < ${width}; termElement++) {
        for (let termEvaluation = 0; termEvaluation < ${evaluations}; termEvaluation++) {
          const termRow = s * ${evaluations} + termEvaluation;
          rowTermSum += ${calls.rowTerm(elementAt('termEvaluation', 'termElement'), gradientArguments('termRow', 'termElement'))};
        }
      }`
    : '';
  const forwardCall = op ? hardOpCall(op, width, elementAt('e')) : calls.forward(elementAt('e'));
  const state = gpuStateParameter(estimator);
  // The host terms (see core/host-terms.ts): element terms as [rows][width] inputs, row terms as [rows].
  const host = hostTermArguments(estimator, (array) => `${array}[s][i]`, (array) => `${array}[s]`);
  const hostParameters = host.arrays.map((name) => `${name}, `).join('');
  return {
    forward: `function (theta, probabilities, ${noise}step${state}) {
      const i = this.thread.x;
      const s = Math.floor(this.thread.y / ${evaluations});
      const e = this.thread.y - s * ${evaluations};
      return ${forwardCall};
    }`,
    backward: `function (theta, probabilities, ${noise}h, ${needs.objective ? 'objectives, ' : ''}${needs.objectiveGradient ? 'dLdh, ' : ''}baseline, ${hostParameters}step${state}) {
      const i = this.thread.x;
      const s = this.thread.y;
      let objectiveSum = 0;
      ${needs.objective ? `for (let e = 0; e < ${evaluations}; e++) { objectiveSum += objectives[s * ${evaluations} + e]; }` : ''}
      let rowTermSum = 0;
      ${rowTermSum}
      let g = 0;
      for (let e = 0; e < ${evaluations}; e++) {
        const row = s * ${evaluations} + e;
        g += ${calls.gradient(elementAt('e'), { ...gradientArguments('row', 'i'), rowTermSum: 'rowTermSum' }, host.bindings)};
      }
      return g;
    }`,
    pilotWeight: estimator.kernels.baselineWeight
      ? `function (theta, probabilities, ${noise}h, step${state}) {
      const i = this.thread.x;
      const s = this.thread.y;
      return ${calls.baselineWeight(elementAt('0'), `h[s * ${evaluations}][i]`)};
    }`
      : null,
  };
}

/** Rows of a 2-D kernel result (an array of Float32Array rows) as one flat float64 array. */
function flatten(rows: Float32Array[], width: number): Float64Array {
  const out = new Float64Array(rows.length * width);
  rows.forEach((row, index) => out.set(row, index * width));
  return out;
}

/**
 * A hard node on the GPU through gpu.js: the estimator's kernels over rows, with the noise drawn on the
 * host from the same streams as the CPU backend and uploaded, so both backends agree to float32
 * precision. Calls whose texture rows would exceed the device's limit are split along noise chunks.
 */
export class GpuHardNode implements HardNodeStage {
  readonly width: number;
  readonly evaluations: number;
  private readonly noiseWidth: number;
  private readonly sources: ReturnType<typeof hardNodeKernelSources>;
  private readonly kernelsByRows = new Map<number, PieceKernels>();
  /** Rows per device pass (a multiple of the noise chunk, so pieces never split a chunk). */
  private readonly pieceRows: number;
  /** The estimator's state values, read at every call (the harness rewrites them between calls). */
  private readonly state: Float64Array;
  private readonly hostTerms: HardNodeHostTerms;

  constructor(private readonly runtime: GpuRuntime, private readonly request: HardNodeRequest) {
    const { estimator, estimatorParams, nodeKind, width, classes } = request;
    this.state = request.estimatorState ?? initialStateArray(estimator, estimatorParams, { nodeKind, dim: width, ...(classes ? { classes } : {}) });
    this.hostTerms = new HardNodeHostTerms(request, this.state);
    this.width = request.width;
    this.evaluations = evaluationCount(request.estimator, request.estimatorParams);
    this.noiseWidth = hardNodeNoiseWidth(request);
    const textureWidth = Math.max(this.noiseWidth, request.width);
    if (textureWidth > runtime.maxTextureSize) {
      throw new Error(`a hard node of width ${request.width} needs textures ${textureWidth} wide; this GPU allows ${runtime.maxTextureSize}`);
    }
    this.pieceRows = Math.max(noiseChunkSamples, Math.floor(runtime.maxTextureSize / this.evaluations / noiseChunkSamples) * noiseChunkSamples);
    this.sources = hardNodeKernelSources(request);
  }

  private kernels(rows: number): PieceKernels {
    const cached = this.kernelsByRows.get(rows);
    if (cached) return cached;
    const { estimator } = this.request;
    const { forward, gradient, baselineWeight } = estimator.kernels;
    const op = this.request.op;
    // Checked math, so NaN and Inf fail the cell as on the CPU (see gpu-kernels.ts).
    const { rowTerm } = estimator.kernels;
    const functions = withCheckedMathFunctions([
      ...(estimator.helpers ?? []), ...(op ? [op.kernel] : []), forward, gradient, ...(baselineWeight ? [baselineWeight] : []), ...(rowTerm ? [rowTerm] : []),
    ]);
    const settings = (output: number[]) => ({
      output, functions, tactic: 'precision', precision: 'single', loopMaxIterations: Math.max(this.evaluations, rowTerm ? this.width : 0) + 1,
    });
    const kernels: PieceKernels = {
      forward: this.runtime.gpu.createKernel(this.sources.forward, settings([this.width, rows * this.evaluations])),
      backward: this.runtime.gpu.createKernel(this.sources.backward, settings([this.width, rows])),
      pilotWeight: this.sources.pilotWeight ? this.runtime.gpu.createKernel(this.sources.pilotWeight, settings([this.width, rows])) : null,
    };
    this.kernelsByRows.set(rows, kernels);
    return kernels;
  }

  /** Runs `work` on each device-sized piece of rows with that piece's inputs. */
  private async forEachPiece(
    pass: { rows: number; logits: Float64Array; probabilities: Float64Array; noiseU: Float32Array | null; noiseV: Float32Array | null },
    work: (piece: { start: number; rows: number; inputs: unknown[]; kernels: PieceKernels }) => Promise<void>,
  ): Promise<void> {
    const { input } = this.runtime.gpujs;
    for (let start = 0; start < pass.rows; start += this.pieceRows) {
      const rows = Math.min(this.pieceRows, pass.rows - start);
      const slice = (values: ArrayLike<number> & { subarray(begin: number, end: number): ArrayLike<number> }, width: number) =>
        input(Float32Array.from(values.subarray(start * width, (start + rows) * width)), [width, rows]);
      const inputs = [
        slice(pass.logits, this.width), slice(pass.probabilities, this.width),
        ...(pass.noiseU ? [slice(pass.noiseU, this.noiseWidth)] : []),
        ...(pass.noiseV ? [slice(pass.noiseV, this.noiseWidth)] : []),
      ];
      await work({ start, rows, inputs, kernels: this.kernels(rows) });
    }
  }

  async forward(logits: Float64Array, rows: number, rng: Rng, step: number): Promise<HardNodeForward> {
    const { estimator, nodeKind } = this.request;
    // A deterministic node draws no noise (and consumes nothing from the stream).
    const noiseU = this.noiseWidth > 0 ? new Float32Array(rows * this.noiseWidth) : null;
    const noiseV = noiseU && estimator.noise.length > 1 ? new Float32Array(rows * this.noiseWidth) : null;
    if (noiseU) fillNoise(estimator.noise, chunkSeeds(rng, rows), rows, this.noiseWidth, noiseU, noiseV);
    const probabilities = this.request.op ? logits : nodeProbabilities(nodeKind, logits.subarray(0, rows * this.width));
    const h = new Float64Array(rows * this.evaluations * this.width);
    const rowWidth = this.evaluations * this.width;
    await this.forEachPiece({ rows, logits, probabilities, noiseU, noiseV }, async (piece) => {
      const result = (await piece.kernels.forward(...piece.inputs, step, ...gpuStateArguments(estimator, this.state))) as Float32Array[];
      h.set(flatten(result, this.width), piece.start * rowWidth);
    });
    const state: GpuNodeState = { probabilities, noiseU, noiseV };
    return { rows, logits, h, state };
  }

  async backward(
    pass: HardNodeForward, objectives: Float64Array | null, objectiveGradient: Float64Array | null, baseline: Float64Array | null, step: number,
  ): Promise<Float64Array> {
    const { needs } = this.request.estimator;
    const state = pass.state as GpuNodeState;
    const { input } = this.runtime.gpujs;
    const out = new Float64Array(pass.rows * this.width);
    const baselineValues = baseline ? Float32Array.from(baseline) : new Float32Array(this.width);
    const hRows = this.evaluations;
    const batch = { rows: pass.rows, logits: pass.logits, probabilities: state.probabilities, noiseU: state.noiseU, noiseV: state.noiseV, h: pass.h, step };
    const terms = this.hostTerms.compute(batch);
    await this.forEachPiece({ rows: pass.rows, logits: pass.logits, ...state }, async (piece) => {
      const first = piece.start * hRows;
      const count = piece.rows * hRows;
      const h = input(Float32Array.from(pass.h.subarray(first * this.width, (first + count) * this.width)), [this.width, count]);
      const extra: unknown[] = [];
      if (needs.objective) extra.push(Float32Array.from(objectives!.subarray(first, first + count)));
      if (needs.objectiveGradient) {
        extra.push(input(Float32Array.from(objectiveGradient!.subarray(first * this.width, (first + count) * this.width)), [this.width, count]));
      }
      const pieceRows = (values: Float64Array, width: number) => Float32Array.from(values.subarray(piece.start * width, (piece.start + piece.rows) * width));
      const hostInputs = [
        ...terms.element.map((values) => input(pieceRows(values, this.width), [this.width, piece.rows])),
        ...terms.row.map((values) => pieceRows(values, 1)),
      ];
      const result = (await piece.kernels.backward(
        ...piece.inputs, h, ...extra, baselineValues, ...hostInputs, step, ...gpuStateArguments(this.request.estimator, this.state),
      )) as Float32Array[];
      out.set(flatten(result, this.width), piece.start * this.width);
    });
    this.hostTerms.record(batch, out);
    return out;
  }

  async baselineSums(pass: HardNodeForward, objectives: Float64Array, step: number) {
    const state = pass.state as GpuNodeState;
    const { input } = this.runtime.gpujs;
    const weightedObjective = new Float64Array(this.width);
    const weight = new Float64Array(this.width);
    await this.forEachPiece({ rows: pass.rows, logits: pass.logits, ...state }, async (piece) => {
      if (!piece.kernels.pilotWeight) throw new Error(`${this.request.estimator.id} declares no baseline`);
      const first = piece.start * this.evaluations;
      const count = piece.rows * this.evaluations;
      const h = input(Float32Array.from(pass.h.subarray(first * this.width, (first + count) * this.width)), [this.width, count]);
      const weights = (await piece.kernels.pilotWeight(...piece.inputs, h, step, ...gpuStateArguments(this.request.estimator, this.state))) as Float32Array[];
      weights.forEach((row, index) => {
        const objective = objectives[(piece.start + index) * this.evaluations];
        for (let unit = 0; unit < this.width; unit++) {
          weightedObjective[unit] += row[unit] * objective;
          weight[unit] += row[unit];
        }
      });
    });
    return { weightedObjective, weight };
  }

  dispose(): void {
    for (const kernels of this.kernelsByRows.values()) {
      destroyKernel(kernels.forward);
      destroyKernel(kernels.backward);
      if (kernels.pilotWeight) destroyKernel(kernels.pilotWeight);
    }
    this.kernelsByRows.clear();
  }
}
