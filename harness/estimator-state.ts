/**
 * A cell's estimator state on the host: the live array of values that the cell's kernels read at every
 * call, its reset to the initial values, the update after each training step, and the reading of the
 * current values for the results.
 */
import type { EstimatorDefinition } from '../core/estimator.js';
import { initialStateArray, stateArray, stateValues, type StateShape, type StepObjectiveMoments } from '../core/estimator-state.js';
import { momentsOfRows, type BatchMoments } from '../core/moments.js';
import type { ParameterValues } from '../core/parameters.js';
import type { Rng } from '../core/rng.js';
import type { EstimatorStateRecord } from '../core/types.js';

/** Draws the moments of `samples` estimates from `rng` with the values the live array holds at the time. */
export type MomentsDraw = (rng: Rng) => Promise<BatchMoments>;

/** Σᵢ E[ĝᵢ²] over the entries: the estimate's total second moment. */
function totalMeanSquare(moments: BatchMoments): number {
  let total = 0;
  for (let entry = 0; entry < moments.mean.length; entry++) {
    total += moments.sumOfSquaredDeviations[entry] / moments.count + moments.mean[entry] * moments.mean[entry];
  }
  return total;
}

/** The per-entry mean of the squared estimates. */
function meanSquares(moments: BatchMoments): Float64Array {
  return moments.mean.map((mean, entry) => moments.sumOfSquaredDeviations[entry] / moments.count + mean * mean);
}

/** One cell's estimator state (one per cell; a stateless estimator has an empty one). */
export class CellEstimatorState {
  /** The values in the state's `names` order: backends read this very array at every call. */
  readonly values: Float64Array;
  private readonly initial: Float64Array;

  constructor(private readonly estimator: EstimatorDefinition, private readonly params: ParameterValues, shape: StateShape) {
    this.initial = initialStateArray(estimator, params, shape);
    this.values = this.initial.slice();
  }

  /** Whether the estimator has state (a training step then updates it). */
  get active(): boolean {
    return this.estimator.state !== undefined;
  }

  /** Back to the initial values (each training run starts from them). */
  reset(): void {
    this.values.set(this.initial);
  }

  /** The current values by name: what the results record. */
  current(): Record<string, number> {
    return stateValues(this.estimator, this.values);
  }

  /**
   * The step's estimate with the current values, then the state's update. `draw` draws the step's
   * estimates; the variance gradients redraw them from a copy of the same stream (common random
   * numbers) at each perturbed value; `objectives`, when the state reads objective values, gives those
   * of the step's own samples (observed during the draw, or probed from a copy of its stream). Returns the step's estimates, drawn with the values before the update.
   */
  async trainingStep(step: number, rng: Rng, draw: MomentsDraw, objectives: ObjectiveSource | null): Promise<BatchMoments> {
    const state = this.estimator.state;
    if (!state) return draw(rng);
    const start = rng.clone();
    let observed: ObservedObjectives | null = null;
    let gradient: BatchMoments;
    if (state.needsObjectiveMoments && objectives?.kind === 'observed') ({ result: gradient, observed } = await objectives.observe(() => draw(rng)));
    else gradient = await draw(rng);
    const before = this.current();
    const steps = state.varianceGradientSteps?.(this.params, before) ?? {};
    const varianceGradient: Record<string, number> = {};
    for (const [name, delta] of Object.entries(steps)) {
      const index = state.names.indexOf(name);
      if (index < 0) throw new Error(`${this.estimator.id}: varianceGradientSteps names '${name}', which is not a state value`);
      if (!(delta > 0)) continue;
      this.values[index] = before[name] + delta;
      const above = totalMeanSquare(await draw(start.clone()));
      this.values[index] = before[name] - delta;
      const below = totalMeanSquare(await draw(start.clone()));
      this.values[index] = before[name];
      varianceGradient[name] = (above - below) / (2 * delta);
    }
    let objective: StepObjectiveMoments | undefined;
    if (state.needsObjectiveMoments) {
      if (!objectives) throw new Error(`${this.estimator.id} reads the objective values of its samples, which this cell does not offer`);
      objective = observed ? observedObjectiveMoments(observed) : probedObjectiveMoments(await objectives.probe!(start.clone()));
    }
    const updated = state.update({
      values: before, params: this.params, step, varianceGradient,
      gradient: { count: gradient.count, mean: gradient.mean, meanSquare: meanSquares(gradient) },
      ...(objective ? { objective } : {}),
    });
    this.values.set(stateArray(this.estimator, { ...before, ...updated }));
    return gradient;
  }
}

/** Draws the objective values of the samples a stream gives (entry 0 of the moments: L of each sample's first evaluation). */
export type ObjectiveProbe = (rng: Rng) => Promise<BatchMoments>;

/** The objective values a staged cell's hard node was handed while a draw ran: L of each row's first evaluation. */
export interface ObservedObjectives {
  /** One value per row of the node (a sample, or one image of a minibatch), in row order. */
  readonly values: Float64Array;
}

/**
 * Where a training step's objective values come from: a `probe` that redraws the step's samples from a
 * copy of its stream (kernel cells, whose fused loop reduces the objective away), or the values the
 * step's own draw handed its hard node, `observe`d while it runs (staged cells: no second pass).
 */
export type ObjectiveSource =
  | { readonly kind: 'probe'; readonly probe: ObjectiveProbe }
  | { readonly kind: 'observed'; readonly observe: ObjectiveObserver; readonly probe?: undefined };

/** Runs a draw and returns, beside its result, the objective values its hard node was handed. */
export type ObjectiveObserver = <T>(run: () => Promise<T>) => Promise<{ result: T; observed: ObservedObjectives }>;

/** The unbiased variance of the probe's entry 0 (the moments of the objective values). */
function probedObjectiveMoments(moments: BatchMoments): StepObjectiveMoments {
  return { count: moments.count, mean: moments.mean[0], variance: moments.count > 1 ? moments.sumOfSquaredDeviations[0] / (moments.count - 1) : 0 };
}

/** The moments of observed objective values, as the probe's (mean and unbiased variance, float64). */
function observedObjectiveMoments({ values }: ObservedObjectives): StepObjectiveMoments {
  return probedObjectiveMoments(momentsOfRows(values, values.length, 1));
}

/** The kernel of the objective probe: this evaluation's objective for evaluation 0, so an estimate is L of the sample's first evaluation. */
function estibenchObjectiveProbe(objective: number, evaluation: number): number {
  return evaluation < 0.5 ? objective : 0;
}

/**
 * The estimator turned into a probe of its samples' objective values: the same forward pass, noise and
 * state names (so the same samples from the same stream), and a gradient kernel that returns the
 * objective of the sample's first evaluation. Compiled on the cell's backend beside the estimator.
 */
export function objectiveProbeEstimator(estimator: EstimatorDefinition): EstimatorDefinition {
  return {
    ...estimator,
    id: `${estimator.id}:objective-probe`,
    needs: { objective: true, objectiveGradient: false },
    kernels: { forward: estimator.kernels.forward, gradient: estibenchObjectiveProbe },
    baselinePilotSamples: undefined,
    categoricalKernels: undefined,
  };
}

/** The state record of a cell: the values at scoring and, per training run, at its end; undefined for a stateless estimator. */
export function stateRecord(state: CellEstimatorState, atScoring: Record<string, number>, afterTraining: Record<string, number>[]): EstimatorStateRecord | undefined {
  if (!state.active) return undefined;
  return { atScoring, ...(afterTraining.length > 0 ? { afterTraining } : {}) };
}
