import type { ParameterValues } from './parameters.js';
import type { StateShape, StateValues } from './estimator-state.js';

/**
 * Two extensions of the estimator contract for estimators that own a small model (RELAX's surrogate
 * network, NVIL's input-dependent baseline):
 * - **array state**: named Float64Arrays (a network's weights, their optimiser moments) kept by the
 *   harness beside the scalar state, initialised per cell for the node's shape and updated once per
 *   training step. Kernels never read them; host terms do. Results record each array's length and
 *   Euclidean norm, not its entries.
 * - **host terms**: a hook run on the host for every batch, after the node's forward pass and before
 *   its gradient kernel, that computes named per-element and per-row numbers from what the host holds
 *   (logits, probabilities, the noise rows, h, the state and its arrays). The `gradient` kernel reads
 *   them by name like `objective`: an element term `surrogateSlope` as this element's number, a row term
 *   as its row's number.
 * An estimator with either runs on the backends' hard-node stages (kernel problems included), where the
 * host sees each batch's noise.
 */

/** Array state values by name (live arrays: the harness rewrites them in place between steps). */
export type ArrayStateValues = Readonly<Record<string, Float64Array>>;

/** What a host term hook sees of one batch of a hard node (rows of logits, and h for every evaluation). */
export interface HostTermInput {
  readonly rows: number;
  /** Elements per row. */
  readonly width: number;
  readonly evaluations: number;
  /** [rows × width]. */
  readonly logits: ArrayLike<number>;
  /** The node's probabilities, [rows × width] (sigmoid of the logits on Bernoulli nodes). */
  readonly probabilities: ArrayLike<number>;
  /**
   * The noise the forward pass drew, [rows × noiseWidth] each (u, and v when the estimator draws two);
   * noiseWidth is `width`, or `evaluations · width` when each evaluation draws its own (evaluation-major).
   */
  readonly noiseU: ArrayLike<number> | null;
  readonly noiseV: ArrayLike<number> | null;
  readonly noiseWidth: number;
  /**
   * On categorical nodes (where noiseU and noiseV are null): the classes per unit K, and the exponential
   * draws the forward pass drew, [rows × noiseWidth], each unit's `exponentialsPerUnit` draws at
   * unit · exponentialsPerUnit (see `CategoricalKernels`). Absent on other nodes.
   */
  readonly classes?: number;
  readonly exponentials?: ArrayLike<number> | null;
  /** [rows · evaluations × width], row index = row · evaluations + evaluation. */
  readonly h: ArrayLike<number>;
  readonly step: number;
  readonly params: ParameterValues;
  /** The scalar state values and the arrays, as the batch's kernels read them. */
  readonly state: StateValues;
  readonly arrays: ArrayStateValues;
}

/** A host term hook's result: per-element terms [rows × width] and per-row terms [rows], by name. */
export interface HostTermValues {
  readonly element: Readonly<Record<string, Float64Array>>;
  readonly row: Readonly<Record<string, Float64Array>>;
}

/** Named numbers computed on the host per batch for the `gradient` kernel (see the file comment). */
export interface HostTerms {
  /** Names of the per-element terms, bound to `gradient` by name. */
  readonly elementNames: readonly string[];
  /** Names of the per-row terms, bound to `gradient` by name. */
  readonly rowNames: readonly string[];
  /** Computes every declared term for one batch; pure. */
  compute(input: HostTermInput): HostTermValues;
}

/** One batch of a hard node as a state update reads it: what the host terms saw, and the estimates the batch produced. */
export interface NodeSamples extends HostTermInput {
  /** The node's estimate dL/dlogits of every row, [rows × width] (ĝ per element; 2ĝ is the single-sample variance gradient's weight). */
  readonly estimates: Float64Array;
  /**
   * The objective value L of every h row, [rows · evaluations] (row · evaluations + evaluation), as the
   * backward pass was handed them; null (or absent) when the estimator reads no objective values.
   */
  readonly objectives?: Float64Array | null;
}

/** An estimator's array state: how it starts for a node and how a training step changes it. */
export interface ArrayState {
  /** Initial arrays for a node of this shape (the hard node's width: the first node a cell builds). */
  init(params: ParameterValues, shape: StateShape): Record<string, Float64Array>;
}

/** Euclidean norm of an array (what results record of array state). */
export function arrayNorm(values: ArrayLike<number>): number {
  let total = 0;
  for (let index = 0; index < values.length; index++) total += values[index] * values[index];
  return Math.sqrt(total);
}

/** The host terms' outputs in declaration order, each checked for its length and finiteness. */
export function checkedHostTerms(estimatorId: string, terms: HostTerms, values: HostTermValues, rows: number, width: number): { element: Float64Array[]; row: Float64Array[] } {
  const check = (kind: 'element' | 'row', name: string, length: number): Float64Array => {
    const array = values[kind][name];
    if (!(array instanceof Float64Array) || array.length < length) {
      throw new Error(`${estimatorId}: host term '${name}' must be a Float64Array of at least ${length} numbers, got ${array?.length ?? array}`);
    }
    // x · 0 is 0 for every finite x and NaN for ±∞ and NaN: one multiply-add per number finds whether
    // any is not finite; only then is the first such one looked for, to name it.
    let probe = 0;
    for (let index = 0; index < length; index++) probe += array[index] * 0;
    if (probe !== 0) {
      const index = array.subarray(0, length).findIndex((entry) => !Number.isFinite(entry));
      throw new Error(`${estimatorId}: host term '${name}' is ${array[index]} at ${index}`);
    }
    return array;
  };
  return {
    element: terms.elementNames.map((name) => check('element', name, rows * width)),
    row: terms.rowNames.map((name) => check('row', name, rows)),
  };
}
