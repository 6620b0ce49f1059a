import type { Rng } from '../core/rng.js';
import type { StagedContext } from '../core/suite.js';

/** What one layer's forward pass hands downstream, and what it keeps for its backward pass. */
export interface LayerPass {
  /** [rows × outputWidth], row-major float32. */
  readonly output: Float32Array;
  /** Layer-private state of the pass (a hard node's forward pass). */
  readonly saved: unknown;
}

/** What a layer's backward pass receives: its input, its forward pass, dL/doutput. */
export interface LayerGradientRequest {
  readonly input: Float32Array;
  readonly pass: LayerPass;
  /** dL/doutput [rows × outputWidth]. */
  readonly outputGradient: Float32Array;
  readonly rows: number;
  /** This layer's slice of the parameters. */
  readonly params: Float32Array;
  /**
   * This layer's slice of the parameter gradient, which the layer fills; null when only dL/dinput is
   * wanted (a decoder backpropagating dL/dh), and the products for dL/dparams are then skipped.
   */
  readonly parameterGradient: Float32Array | null;
  /** Whether dL/dinput is needed (false for the first layer). */
  readonly wantInputGradient: boolean;
  /** Training step (0 when scoring), for the estimator's kernels. */
  readonly step: number;
}

/** A layer compiled for one cell: it runs on the cell's tensor operations and hard nodes. */
export interface Layer {
  /** output = layer(input) for `rows` rows; `rng` is for stochastic hard nodes, `step` for their kernels. */
  forward(input: Float32Array, rows: number, params: Float32Array, rng: Rng, step: number): Promise<LayerPass>;
  /** Fills dL/dparams and returns dL/dinput (null when not wanted). Exact, except a hard node's (the estimator's rule). */
  backward(request: LayerGradientRequest): Promise<Float32Array | null>;
}

/** A layer's architecture, independent of any backend: shapes, parameter count, initialisation. */
export interface LayerSpec {
  /** What the layer is, for messages (`dense 784→256`, `hard quantizer-1bit`). */
  readonly description: string;
  readonly inputWidth: number;
  readonly outputWidth: number;
  readonly parameterCount: number;
  /** Writes the layer's initial parameters into its slice `params`, drawn from `rng`. */
  initialise(params: Float64Array, rng: Rng): void;
  /** Binds the layer to a cell's tensor operations and hard nodes. */
  compile(context: StagedContext): Layer;
}
