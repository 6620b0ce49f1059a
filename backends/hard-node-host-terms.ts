import { evaluationCount, type EstimatorDefinition } from '../core/estimator.js';
import { stateValues } from '../core/estimator-state.js';
import { checkedHostTerms, type ArrayStateValues, type HostTermInput } from '../core/host-terms.js';
import type { HardNodeRequest } from '../core/backend.js';
import { hardNodeNoiseWidth } from './hard-node-request.js';
import { categoricalShape } from './categorical-kernel-calls.js';

/**
 * The generated kernels' arguments for the host terms: the arrays' names (`hostElement0`, …, then
 * `hostRow0`, …, in the order `compute` returns them) and each term's binding, `element(array)` for an
 * element term and `row(array)` for a row term (the backend's expression for this element's or row's number).
 */
export function hostTermArguments(
  estimator: EstimatorDefinition, element: (array: string) => string, row: (array: string) => string,
): { arrays: string[]; bindings: Record<string, string> } {
  const elementArrays = (estimator.hostTerms?.elementNames ?? []).map((name, index) => [name, `hostElement${index}`]);
  const rowArrays = (estimator.hostTerms?.rowNames ?? []).map((name, index) => [name, `hostRow${index}`]);
  return {
    arrays: [...elementArrays, ...rowArrays].map(([, array]) => array),
    bindings: Object.fromEntries([...elementArrays.map(([name, array]) => [name, element(array)]), ...rowArrays.map(([name, array]) => [name, row(array)])]),
  };
}

/** A batch of a hard node as the host holds it after the forward pass. */
export interface HostBatch {
  readonly rows: number;
  readonly logits: ArrayLike<number>;
  readonly probabilities: ArrayLike<number>;
  readonly noiseU: ArrayLike<number> | null;
  readonly noiseV: ArrayLike<number> | null;
  /** A categorical node's exponential draws [rows × noiseWidth] (absent on other nodes). */
  readonly exponentials?: ArrayLike<number> | null;
  readonly h: ArrayLike<number>;
  readonly step: number;
  /** The objective value of every h row, as the backward pass was handed them (null when the estimator reads none). */
  readonly objectives?: Float64Array | null;
}

/**
 * The host side of a hard node's host terms and node samples (see core/host-terms.ts), shared by the
 * backends: the batch as the hook sees it, the hook's checked outputs in declaration order, the names
 * kernels bind them by, and the report of each batch with its estimates to the cell's state.
 */
export class HardNodeHostTerms {
  private readonly arrays: ArrayStateValues;
  private readonly noiseWidth: number;
  private readonly evaluations: number;

  /** @param state the node's live scalar state values (in the state's `names` order) */
  constructor(private readonly request: HardNodeRequest, private readonly state: Float64Array) {
    const { estimator, estimatorParams, nodeKind, width, classes } = request;
    this.arrays = request.stateArrays ?? estimator.state?.arrays?.init(estimatorParams, { nodeKind, dim: width, ...(classes ? { classes } : {}) }) ?? {};
    this.noiseWidth = request.nodeKind === 'categorical' ? categoricalShape(request).noiseWidth : hardNodeNoiseWidth(request);
    this.evaluations = evaluationCount(estimator, estimatorParams);
  }

  /** Whether the estimator has host terms (the gradient kernel then reads them). */
  get active(): boolean {
    return this.request.estimator.hostTerms !== undefined;
  }

  private input(batch: HostBatch): HostTermInput {
    const { estimator, estimatorParams, width } = this.request;
    return {
      rows: batch.rows, width, evaluations: this.evaluations,
      logits: batch.logits, probabilities: batch.probabilities, noiseU: batch.noiseU, noiseV: batch.noiseV, noiseWidth: this.noiseWidth,
      h: batch.h, step: batch.step, params: estimatorParams, state: stateValues(estimator, this.state), arrays: this.arrays,
      ...(batch.exponentials ? { exponentials: batch.exponentials, classes: this.request.classes } : {}),
    };
  }

  /** The host terms of a batch, element terms then row terms each in declaration order (empty without host terms). */
  compute(batch: HostBatch): { element: Float64Array[]; row: Float64Array[] } {
    const { estimator, width } = this.request;
    const terms = estimator.hostTerms;
    if (!terms) return { element: [], row: [] };
    return checkedHostTerms(estimator.id, terms, terms.compute(this.input(batch)), batch.rows, width);
  }

  /**
   * Reports the batch, its objective values and its estimates to the cell's state, when its update reads
   * them: as a function that copies them, which the state calls only for the batches it keeps.
   */
  record(batch: HostBatch, estimates: Float64Array): void {
    const state = this.request.estimator.state;
    if (!this.request.recordSamples || !(state?.needsNodeSamples || state?.needsObjectiveMoments)) return;
    // Copies: the caller's arrays may be reused (shared memory) or be float32 uploads.
    const copy = (values: ArrayLike<number> | null, length: number) => {
      if (!values) return null;
      const out = new Float64Array(length);
      // A typed array converts natively (float32 uploads included); anything else number by number.
      if (values instanceof Float64Array || values instanceof Float32Array) out.set(values.subarray(0, length));
      else for (let index = 0; index < length; index++) out[index] = values[index];
      return out;
    };
    const { width } = this.request;
    this.request.recordSamples(() => ({
      ...this.input(batch),
      logits: copy(batch.logits, batch.rows * width)!, probabilities: copy(batch.probabilities, batch.rows * width)!,
      noiseU: copy(batch.noiseU, batch.rows * this.noiseWidth), noiseV: copy(batch.noiseV, batch.rows * this.noiseWidth),
      ...(batch.exponentials ? { exponentials: copy(batch.exponentials, batch.rows * this.noiseWidth) } : {}),
      h: copy(batch.h, batch.rows * this.evaluations * width)!,
      state: stateValues(this.request.estimator, this.state.slice()),
      estimates: estimates.slice(0, batch.rows * width),
      objectives: copy(batch.objectives ?? null, batch.rows * this.evaluations),
    }));
  }
}
