import { nodeProbabilities } from '../core/node-kinds.js';
import { chunkSeeds, noiseChunkSamples, type Rng } from '../core/rng.js';
import type { HardNodeForward, HardNodeStage } from '../core/suite.js';
import type { HardNodeRequest } from '../core/backend.js';
import { categoricalKernelCalls, categoricalKernelsOf, categoricalRowTermSum, categoricalShape, type CategoricalShape } from './categorical-kernel-calls.js';
import { fillExponentials } from './categorical-noise.js';
import { destroyKernel } from './gpu-kernel-release.js';
import { gpuStateArguments, gpuStateParameter } from './gpu-kernels.js';
import { HardNodeHostTerms, hostTermArguments } from './hard-node-host-terms.js';
import { initialStateArray } from '../core/estimator-state.js';
import type { GpuJsKernel, GpuRuntime } from './gpu-runtime.js';

interface PieceKernels {
  readonly forward: GpuJsKernel;
  readonly backward: GpuJsKernel;
}

/** What one forward pass keeps for its backward pass (host copies; uploaded per piece). */
interface GpuCategoricalState {
  readonly probabilities: Float32Array;
  readonly exponentials: Float32Array;
}

/**
 * gpu.js sources of the categorical node's kernels (thread.x = element of the row, thread.y = row, or
 * row · evaluations + evaluation for the forward pass). Every input is a flat 1-D array of the piece's
 * rows, so the kernels index it with the same offsets as the CPU loops.
 */
function categoricalKernelSourcesForGpu(request: HardNodeRequest, shape: CategoricalShape) {
  const { estimator, estimatorParams } = request;
  const { width, classes, evaluations, exponentialsPerUnit, noiseWidth, noiseEvaluationStride } = shape;
  const calls = categoricalKernelCalls(estimator, estimatorParams, shape);
  const { needs } = estimator;
  const element = {
    logits: 'logits', probabilities: 'probabilities', exponentials: 'exponentials', unitStart: 'unitStart', noiseStart: 'noiseStart',
    classIndex: 'c', unit: 'unit', evaluation: 'e', step: 'step',
  };
  const elementIndices = `const i = this.thread.x;
      const unit = Math.floor(i / ${classes});
      const c = i - unit * ${classes};`;
  const perEvaluation = request.logitsPerEvaluation === true;
  // With logits per evaluation, logits and probabilities are indexed like h.
  const logitRow = perEvaluation ? 'this.thread.y' : 's';
  const gradientArguments = {
    rowTermSum: categoricalKernelsOf(estimator).rowTerm ? 'rowTermSum' : '0',
    hValues: 'hValues', hStart: 'hStart',
    dLdhValues: needs.objectiveGradient ? 'dLdhValues' : null,
    objective: needs.objective ? `objectives[s * ${evaluations} + e]` : null,
    objectiveSum: needs.objective ? 'objectiveSum' : null,
    objectives: needs.objective ? 'objectives' : null,
    objectivesStart: needs.objective ? `s * ${evaluations}` : null,
  };
  // Its loop variable is not `e`: the per-evaluation kernel declares `e` before it, and GLSL refuses the second.
  const objectiveSum = `let objectiveSum = 0;
      ${needs.objective ? `for (let member = 0; member < ${evaluations}; member++) { objectiveSum += objectives[s * ${evaluations} + member]; }` : ''}`;
  // The state array last, after step, as the element kernels take it (none for a stateless estimator).
  const stateParameter = gpuStateParameter(estimator);
  // The host terms (see core/host-terms.ts): element terms as flat [rows · width] inputs, row terms as [rows].
  const host = hostTermArguments(estimator, (array) => `${array}[s * ${width} + i]`, (array) => `${array}[s]`);
  if (host.arrays.length > 0 && perEvaluation) throw new Error(`${estimator.id}: host terms on categorical nodes need logits shared by the evaluations`);
  const hostParameters = host.arrays.map((name) => `${name}, `).join('');
  const backwardArguments = `logits, probabilities, exponentials, hValues, ${needs.objective ? 'objectives, ' : ''}${needs.objectiveGradient ? 'dLdhValues, ' : ''}${hostParameters}step${stateParameter}`;
  // The row term's sum over the row (categoricalRowTermSum), each thread summing the whole row, with its own
  // names: gpu.js declares loop counters at function scope, and the kernel's own unit, e, c and offsets are taken.
  const rowTermSum = categoricalRowTermSum(estimator, estimatorParams, shape, {
    unit: 'termUnit', evaluation: 'termEvaluation', classIndex: 'termClass', unitStart: 'termUnitStart', noiseStart: 'termNoiseStart', hStart: 'termHStart',
  }, {
    unitStart: `${perEvaluation ? `(s * ${evaluations} + termEvaluation)` : 's'} * ${width} + termUnit * ${classes}`,
    exponentials: 'exponentials', noiseStart: `s * ${noiseWidth} + termEvaluation * ${noiseEvaluationStride} + termUnit * ${exponentialsPerUnit}`,
    h: 'hValues', dLdh: 'dLdhValues', hStart: `(s * ${evaluations} + termEvaluation) * ${width} + termUnit * ${classes}`,
    objective: `objectives[s * ${evaluations} + termEvaluation]`, objectives: 'objectives', objectivesStart: `s * ${evaluations}`,
  });
  const evaluationOffsets = `const noiseStart = s * ${noiseWidth} + e * ${noiseEvaluationStride} + unit * ${exponentialsPerUnit};
        const hStart = (s * ${evaluations} + e) * ${width} + unit * ${classes};`;
  return {
    forward: `function (logits, probabilities, exponentials, step${stateParameter}) {
      ${elementIndices}
      const s = Math.floor(this.thread.y / ${evaluations});
      const e = this.thread.y - s * ${evaluations};
      const unitStart = ${logitRow} * ${width} + unit * ${classes};
      const noiseStart = s * ${noiseWidth} + e * ${noiseEvaluationStride} + unit * ${exponentialsPerUnit};
      return ${calls.forward(element)};
    }`,
    // One thread per (row, evaluation) with logits per evaluation: that evaluation's share only.
    backward: perEvaluation
      ? `function (${backwardArguments}) {
        ${elementIndices}
        const s = Math.floor(this.thread.y / ${evaluations});
        const e = this.thread.y - s * ${evaluations};
        const unitStart = this.thread.y * ${width} + unit * ${classes};
        ${objectiveSum}
        ${rowTermSum}
        ${evaluationOffsets}
        return ${calls.gradient(element, gradientArguments)};
      }`
      : `function (${backwardArguments}) {
        ${elementIndices}
        const s = this.thread.y;
        const unitStart = s * ${width} + unit * ${classes};
        ${objectiveSum}
        ${rowTermSum}
        let g = 0;
        for (let e = 0; e < ${evaluations}; e++) {
          ${evaluationOffsets}
          g += ${calls.gradient(element, gradientArguments, host.bindings)};
        }
        return g;
      }`,
  };
}

/** Rows of a 2-D kernel result (an array of Float32Array rows) written into a flat float64 array at `offset`. */
function copyRows(rows: Float32Array[], out: Float64Array, offset: number, width: number): void {
  rows.forEach((row, index) => out.set(row, offset + index * width));
}

/**
 * A categorical hard node on the GPU through gpu.js: the estimator's categorical kernels over rows, with
 * the exponential noise drawn on the host from the same streams as the CPU node and uploaded, so both
 * backends agree to float32 precision. Calls whose texture rows would exceed the device's limit are
 * split into pieces along noise chunks.
 */
export class GpuCategoricalNode implements HardNodeStage {
  readonly width: number;
  readonly evaluations: number;
  private readonly shape: CategoricalShape;
  private readonly sources: ReturnType<typeof categoricalKernelSourcesForGpu>;
  private readonly kernelsByRows = new Map<number, PieceKernels>();
  /** Rows of logits (and of dL/dlogits) per row: the evaluations when each has its own logits, else 1. */
  private readonly logitRowsPerRow: number;
  /** Logits per row: `width` times `logitRowsPerRow`. */
  private readonly logitWidth: number;
  /** Rows per device pass (a multiple of the noise chunk, so pieces never split a chunk). */
  private readonly pieceRows: number;
  /** The estimator's state values, read at every call (the harness rewrites them between calls). */
  private readonly state: Float64Array;
  private readonly hostTerms: HardNodeHostTerms;

  constructor(private readonly runtime: GpuRuntime, private readonly request: HardNodeRequest) {
    this.shape = categoricalShape(request);
    this.width = request.width;
    this.evaluations = this.shape.evaluations;
    this.logitRowsPerRow = request.logitsPerEvaluation ? this.evaluations : 1;
    this.logitWidth = this.logitRowsPerRow * this.width;
    if (this.width > runtime.maxTextureSize) {
      throw new Error(`a categorical node of width ${this.width} needs textures ${this.width} wide; this GPU allows ${runtime.maxTextureSize}`);
    }
    this.pieceRows = Math.max(noiseChunkSamples, Math.floor(runtime.maxTextureSize / this.evaluations / noiseChunkSamples) * noiseChunkSamples);
    this.sources = categoricalKernelSourcesForGpu(request, this.shape);
    const { estimator, estimatorParams, nodeKind, width, classes } = request;
    this.state = request.estimatorState ?? initialStateArray(estimator, estimatorParams, { nodeKind, dim: width, ...(classes ? { classes } : {}) });
    this.hostTerms = new HardNodeHostTerms(request, this.state);
  }

  private kernels(rows: number): PieceKernels {
    const cached = this.kernelsByRows.get(rows);
    if (cached) return cached;
    const kernels = categoricalKernelsOf(this.request.estimator);
    const functions = [...(kernels.helpers ?? []), kernels.forward, kernels.gradient];
    if (kernels.rowTerm) functions.push(kernels.rowTerm);
    const { classes, exponentialsPerUnit, evaluations } = this.shape;
    const settings = (output: number[]) => ({
      output, functions, tactic: 'precision', precision: 'single',
      // Loops run over the classes, the unit's draws or the evaluations, whichever is longest (and the units, for a row term).
      loopMaxIterations: Math.max(classes, exponentialsPerUnit, evaluations, kernels.rowTerm ? this.shape.units : 0) + 1,
    });
    const compiled: PieceKernels = {
      forward: this.runtime.gpu.createKernel(this.sources.forward, settings([this.width, rows * this.evaluations])),
      backward: this.runtime.gpu.createKernel(this.sources.backward, settings([this.width, rows * this.logitRowsPerRow])),
    };
    this.kernelsByRows.set(rows, compiled);
    return compiled;
  }

  /** A flat 1-D kernel input of rows [start, start + rows) of `values` (rows of `rowWidth` numbers). */
  private slice(values: Float32Array | Float64Array, start: number, rows: number, rowWidth: number): unknown {
    const part = Float32Array.from(values.subarray(start * rowWidth, (start + rows) * rowWidth));
    // gpu.js takes no empty input: an estimator without noise gets one unread number.
    return this.runtime.gpujs.input(part.length > 0 ? part : new Float32Array(1), [Math.max(1, part.length)]);
  }

  /** Runs `work` on each device-sized piece of rows, with the piece's logits, probabilities and noise as inputs. */
  private async forEachPiece(
    rows: number, logits: Float64Array, state: GpuCategoricalState,
    work: (piece: { start: number; rows: number; inputs: unknown[]; kernels: PieceKernels }) => Promise<void>,
  ): Promise<void> {
    for (let start = 0; start < rows; start += this.pieceRows) {
      const pieceRows = Math.min(this.pieceRows, rows - start);
      const inputs = [
        this.slice(logits, start, pieceRows, this.logitWidth), this.slice(state.probabilities, start, pieceRows, this.logitWidth),
        this.slice(state.exponentials, start, pieceRows, this.shape.noiseWidth),
      ];
      await work({ start, rows: pieceRows, inputs, kernels: this.kernels(pieceRows) });
    }
  }

  async forward(logits: Float64Array, rows: number, rng: Rng, step: number): Promise<HardNodeForward> {
    const exponentials = new Float32Array(rows * this.shape.noiseWidth);
    fillExponentials(chunkSeeds(rng, rows), rows, this.shape.noiseWidth, exponentials);
    const probabilities = Float32Array.from(nodeProbabilities('categorical', logits.subarray(0, rows * this.logitWidth), this.shape.classes));
    const state: GpuCategoricalState = { probabilities, exponentials };
    const h = new Float64Array(rows * this.evaluations * this.width);
    await this.forEachPiece(rows, logits, state, async (piece) => {
      const result = (await piece.kernels.forward(...piece.inputs, step, ...gpuStateArguments(this.request.estimator, this.state))) as Float32Array[];
      copyRows(result, h, piece.start * this.evaluations * this.width, this.width);
    });
    return { rows, logits, h, state };
  }

  async backward(pass: HardNodeForward, objectives: Float64Array | null, objectiveGradient: Float64Array | null, _baseline: Float64Array | null, step: number) {
    const { needs } = this.request.estimator;
    const state = pass.state as GpuCategoricalState;
    const out = new Float64Array(pass.rows * this.logitWidth);
    const hRowWidth = this.evaluations * this.width;
    const batch = {
      rows: pass.rows, logits: pass.logits, probabilities: state.probabilities, noiseU: null, noiseV: null, exponentials: state.exponentials, h: pass.h, step, objectives,
    };
    const terms = this.hostTerms.compute(batch);
    await this.forEachPiece(pass.rows, pass.logits, state, async (piece) => {
      const extra: unknown[] = [this.slice(pass.h, piece.start, piece.rows, hRowWidth)];
      if (needs.objective) extra.push(Float32Array.from(objectives!.subarray(piece.start * this.evaluations, (piece.start + piece.rows) * this.evaluations)));
      if (needs.objectiveGradient) extra.push(this.slice(objectiveGradient!, piece.start, piece.rows, hRowWidth));
      extra.push(...terms.element.map((values) => this.slice(values, piece.start, piece.rows, this.width)), ...terms.row.map((values) => this.slice(values, piece.start, piece.rows, 1)));
      const result = (await piece.kernels.backward(...piece.inputs, ...extra, step, ...gpuStateArguments(this.request.estimator, this.state))) as Float32Array[];
      copyRows(result, out, piece.start * this.logitWidth, this.width);
    });
    this.hostTerms.record(batch, out);
    return out;
  }

  async baselineSums(): Promise<{ weightedObjective: Float64Array; weight: Float64Array }> {
    throw new Error(`${this.request.estimator.id}: categorical nodes take no per-element baseline`);
  }

  dispose(): void {
    for (const kernels of this.kernelsByRows.values()) {
      destroyKernel(kernels.forward);
      destroyKernel(kernels.backward);
    }
    this.kernelsByRows.clear();
  }
}
