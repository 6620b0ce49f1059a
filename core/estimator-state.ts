import type { EstimatorDefinition, NodeKind } from './estimator.js';
import type { ParameterValues } from './parameters.js';
import type { ArrayState, ArrayStateValues, NodeSamples } from './host-terms.js';

/**
 * Trainable state of an estimator (REBAR's η and temperature, NVIL's baseline and normaliser): named
 * scalars, initialised per cell from the estimator's parameters and the node's shape, and updated on the
 * host once per training step by a rule the estimator declares, in the manner of optax's
 * `(init, update)` pair. Kernels read each value **by name**, exactly like a parameter, but as a runtime
 * argument: the compiled kernels read the current values at every call and are never recompiled.
 */

/** The node a state is initialised for. */
export interface StateShape {
  readonly nodeKind: NodeKind;
  /** Elements per row of the node (units, or units · K for a categorical node). */
  readonly dim: number;
  /** Classes per unit (K) of a categorical node. */
  readonly classes?: number;
}

/** State values by name. */
export type StateValues = Readonly<Record<string, number>>;

/** Moments of the step's gradient estimates, per trained parameter of the estimator's node. */
export interface StepGradientMoments {
  /** Estimates the moments are over. */
  readonly count: number;
  /** Mean estimate (the step's gradient). */
  readonly mean: Float64Array;
  /** Mean of the squared estimates, E[ĝ²] per entry. */
  readonly meanSquare: Float64Array;
}

/** Moments of the objective value L of the step's samples (its first evaluation), for a regression baseline. */
export interface StepObjectiveMoments {
  readonly count: number;
  readonly mean: number;
  readonly variance: number;
}

/** What the harness hands `update` once per training step, all computed at the values the step used. */
export interface StateUpdateInput {
  /** The values the step's estimates were drawn with. */
  readonly values: StateValues;
  readonly params: ParameterValues;
  /** Training step, from 1. */
  readonly step: number;
  /** The step's gradient estimates. */
  readonly gradient: StepGradientMoments;
  /**
   * For each name in `varianceGradientSteps`: ∂/∂φ of Σᵢ E[ĝᵢ²] (summed over the node's entries), the
   * derivative of the estimate's second moment, which for an unbiased estimator is the derivative of its
   * variance. The harness forms it by a central difference with common random numbers: the step's
   * samples (the same noise) redrawn at φ + δ and φ − δ. Where ĝ is linear in φ (REBAR's η, NVIL's
   * baseline) that difference equals the single-sample estimator E[2 ĝ ∂ĝ/∂φ] exactly, whatever δ.
   */
  readonly varianceGradient: StateValues;
  /** The objective values of the step's samples (only when `needsObjectiveMoments`). */
  readonly objective?: StepObjectiveMoments;
  /** The array state the step's estimates were drawn with (empty without `arrays`). */
  readonly arrays: ArrayStateValues;
  /**
   * The batches of the step's estimates as the hard node saw them, with each row's estimate (only when
   * `needsNodeSamples`): what a single-sample variance gradient E[2 ĝ ∂ĝ/∂φ] is formed from.
   */
  readonly samples?: readonly NodeSamples[];
}

/** An estimator's trainable state: its values, how they start, and how a training step changes them. */
export interface EstimatorState {
  /**
   * The values, in the order backends pass them to kernels. Kernels read the ones they declare by name
   * (a name may not be a parameter's name or a reserved kernel argument name); values no kernel reads
   * (an optimiser's moments) are allowed.
   */
  readonly names: readonly string[];
  /** Initial values for a node of this shape, one per name. */
  init(params: ParameterValues, shape: StateShape): StateValues;
  /**
   * Values whose variance gradient `update` reads, each with the half-width δ of its central difference
   * (a function of the parameters when a parameter fixes the value: return 0, or leave it out, and the
   * harness spends nothing on it). Each costs two extra estimate batches per step.
   */
  readonly varianceGradientSteps?: (params: ParameterValues, values: StateValues) => StateValues;
  /**
   * Whether `update` reads the objective values of the step's samples. They come from a probe of the
   * step's samples, which kernel problems (every stage a kernel) offer; staged problems do not yet, so
   * their cells of such an estimator are unsupported.
   */
  readonly needsObjectiveMoments?: boolean;
  /** The values after a training step; pure (the harness keeps the values). */
  update(input: StateUpdateInput): StateValues;
  /** Array state (see core/host-terms.ts): weights of a small model the estimator owns. */
  readonly arrays?: ArrayState & {
    /** The arrays after a training step, from the same input as `update`; pure. Arrays it leaves out stay as they are. */
    update(input: StateUpdateInput): Record<string, Float64Array>;
  };
  /**
   * Whether the update reads the step's batches as the hard node saw them (`StateUpdateInput.samples`).
   * Such an estimator runs on the backends' hard-node stages, kernel problems included.
   */
  readonly needsNodeSamples?: boolean;
}

/** The initial state values of an estimator for a node, in `names` order (empty for a stateless estimator). */
export function initialStateArray(estimator: EstimatorDefinition, params: ParameterValues, shape: StateShape): Float64Array {
  const state = estimator.state;
  if (!state) return new Float64Array(0);
  return stateArray(estimator, state.init(params, shape));
}

/** Named values as an array in the state's `names` order; throws on a missing or non-finite value. */
export function stateArray(estimator: EstimatorDefinition, values: StateValues): Float64Array {
  const names = estimator.state?.names ?? [];
  return Float64Array.from(names, (name) => {
    const value = values[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${estimator.id}: state value '${name}' is ${value}, not a finite number`);
    return value;
  });
}

/** An array in `names` order as named values. */
export function stateValues(estimator: EstimatorDefinition, array: Float64Array): Record<string, number> {
  return Object.fromEntries((estimator.state?.names ?? []).map((name, index) => [name, array[index]]));
}

/**
 * Kernel argument bindings of the state: each name bound to its entry of the runtime array `arrayName`
 * (`state[0]`, …), which backends pass to every kernel call.
 */
export function stateBindings(estimator: EstimatorDefinition, arrayName: string): Record<string, string> {
  return Object.fromEntries((estimator.state?.names ?? []).map((name, index) => [name, `${arrayName}[${index}]`]));
}
