import type { EstimatorDefinition, NodeKind } from './estimator.js';
import type { ParameterValues } from './parameters.js';
import type { BatchMoments } from './moments.js';
import type { Rng } from './rng.js';
import type { HardNodeStage, HardOp, Problem, TensorOps } from './suite.js';
import type { ArrayStateValues, NodeSamples } from './host-terms.js';

/** Per-unit sums from a pilot batch: the baseline is weightedObjective / weight. */
export interface BaselineSums {
  readonly weightedObjective: Float64Array;
  readonly weight: Float64Array;
}

/** What a backend compiles once per cell. */
export interface CellRequest {
  readonly estimator: EstimatorDefinition;
  readonly estimatorParams: ParameterValues;
  readonly problem: Problem;
  /** Largest `count` any call on the prepared cell will ask for. */
  readonly batchSize: number;
  /**
   * The estimator's state values (see EstimatorState), in its `names` order: a live array that the
   * harness rewrites between calls and the backend passes to the kernels at every call (never compiled
   * in). Absent: the state's initial values, fixed.
   */
  readonly estimatorState?: Float64Array;
}

/**
 * A cell's compiled kernels; every call draws its noise from the given RNG in sample-major order
 * (sample, then element, then noise draw), so every backend consumes the same stream.
 * Calls are asynchronous because GPU readback is (WebGPU has no synchronous readback).
 */
export interface PreparedCell {
  /** The cell draws its estimator's baseline itself (staged cells): the harness runs no pilot batch for it. */
  readonly baselineInside?: boolean;
  /**
   * Draws `count` (<= batchSize) independent single-sample estimates and reduces them to moments.
   * `step` is the training step the kernels see (0 when scoring).
   */
  estimateMoments(logits: Float64Array, baseline: Float64Array, count: number, rng: Rng, step?: number): Promise<BatchMoments>;
  /** Pilot batch for the estimator's baseline (only for estimators with `baselineWeight`). */
  baselineSums(logits: Float64Array, count: number, rng: Rng, step?: number): Promise<BaselineSums>;
  dispose(): void;
}

/** What a backend compiles for one hard node of a staged cell. */
export interface HardNodeRequest {
  readonly estimator: EstimatorDefinition;
  readonly estimatorParams: ParameterValues;
  readonly nodeKind: NodeKind;
  /** Elements per row of logits. */
  readonly width: number;
  /** Classes per unit (K) of a categorical node; elements are unit-major (index = unit · K + class). */
  readonly classes?: number;
  /** Each evaluation has logits of its own (see `HardNodeOptions.logitsPerEvaluation`); categorical nodes only. */
  readonly logitsPerEvaluation?: boolean;
  /** The suite's op for a deterministic node: h = op(theta) replaces the estimator's forward, and no noise is drawn. */
  readonly op?: HardOp;
  /** The estimator's state values, live, as in CellRequest. */
  readonly estimatorState?: Float64Array;
  /** The estimator's array state, live (see core/host-terms.ts). Absent: the arrays' initial values for this node, fixed. */
  readonly stateArrays?: ArrayStateValues;
  /**
   * Called after each backward pass, when the estimator's state reads them (`needsNodeSamples`, or
   * `needsObjectiveMoments`: a staged cell's objective values come from here), with a function that
   * copies the batch, its objective values and its estimates; the state calls it only for the batches
   * it keeps, so a batch nobody keeps costs no copy.
   */
  readonly recordSamples?: (samples: () => NodeSamples) => void;
}

/** A place kernels run: the CPU, or a GPU through gpu.js. */
export interface ComputeBackend {
  /** Registry id, as given to `--backend`. */
  readonly id: string;
  /** What actually runs, for example `cpu:fused-js` or `gpu:headlessgl`. */
  readonly mode: string;
  /** Adapter or renderer strings and anything else a reader needs to trust the numbers. */
  readonly details: Readonly<Record<string, string>>;
  /** Paths tried before this one, each with the reason it failed (empty when the first worked). */
  readonly fallbacks: readonly string[];
  /**
   * Node kinds whose kernel problems `prepare` fuses into one loop, as the backend declares them; kernel
   * problems of other kinds run as stages on `prepareHardNode` and `ops`.
   */
  readonly fusedNodeKinds: readonly NodeKind[];
  /** Compiles a cell whose every stage is a kernel (the fused path), for a node kind in `fusedNodeKinds`. */
  prepare(request: CellRequest): PreparedCell;
  /** Compiles one hard node of a staged cell; a backend without it runs no staged cells. */
  prepareHardNode?(request: HardNodeRequest): HardNodeStage;
  /** Batched operations for the layers of staged cells; a backend without them runs no staged cells. */
  readonly ops?: TensorOps;
  dispose(): void;
}

/** What a run tells every backend it starts. */
export interface BackendOptions {
  /** Worker threads the backend may use on the host (`--threads`); backends that run elsewhere ignore it. */
  readonly threads: number;
}

/** Whether a run that does not name its backends includes a backend, and if not, the one line that says why. */
export interface DefaultRunDecision {
  readonly include: boolean;
  readonly note?: string;
}

/** Creates a backend; rejects with a message saying why this backend cannot run here. */
export interface BackendFactory {
  (options: BackendOptions): Promise<ComputeBackend>;
  /**
   * Decides whether a run without `--backend` includes this backend (absent: always). It must be cheap
   * where the backend could not run well (no GPU device: no GPU start-up paid to find that out).
   */
  readonly inDefaultRun?: () => Promise<DefaultRunDecision>;
}
