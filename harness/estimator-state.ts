/**
 * A cell's estimator state on the host: the live array of values that the cell's kernels read at every
 * call, its reset to the initial values, the update after each training step, and the reading of the
 * current values for the results.
 */
import type { EstimatorDefinition } from '../core/estimator.js';
import { initialStateArray, stateArray, stateValues, type StateShape, type StepGradientMoments, type StepObjectiveMoments } from '../core/estimator-state.js';
import { momentsOfRows, type BatchMoments } from '../core/moments.js';
import type { ParameterValues } from '../core/parameters.js';
import type { Rng } from '../core/rng.js';
import type { EstimatorStateRecord } from '../core/types.js';
import { arrayNorm, type NodeSamples } from '../core/host-terms.js';

/** Draws the moments of `samples` estimates from `rng` with the values the live array holds at the time. */
export type MomentsDraw = (rng: Rng) => Promise<BatchMoments>;

/**
 * How a training step draws its estimates for the state's update, whatever holds them (float64 moments,
 * or float32 training's one estimate in its gradient buffer): the step's own draw, the variance
 * gradients' redraws, of which only Σᵢ E[ĝᵢ²] is read, and the step's estimates as the update reads them.
 */
export interface StepDraws<Drawn> {
  /** The step's estimates from `rng`, with the values the live array holds at the time. */
  draw(rng: Rng): Promise<Drawn>;
  /** Σᵢ E[ĝᵢ²] of the estimates that `rng` gives with the values the live array holds at the time (a redraw). */
  totalMeanSquare(rng: Rng): Promise<number>;
  /** The step's estimates as `update` reads them (built lazily: most updates never read them). */
  moments(drawn: Drawn): StepGradientMoments;
}

/** The draws of the float64 path: moments from `draw`, reduced on the host. */
export function momentsDraws(draw: MomentsDraw): StepDraws<BatchMoments> {
  return { draw, totalMeanSquare: async (rng) => totalMeanSquare(await draw(rng)), moments: stepGradientMoments };
}

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
  // A plain loop: a network's step has some 300 000 entries, where a map's callback costs milliseconds.
  const { mean, sumOfSquaredDeviations, count } = moments;
  const out = new Float64Array(mean.length);
  for (let entry = 0; entry < mean.length; entry++) out[entry] = sumOfSquaredDeviations[entry] / count + mean[entry] * mean[entry];
  return out;
}

/**
 * The step's gradient moments as `update` reads them; the per-entry mean squares (a float64 pass over a
 * network's ~300 000 parameters) are computed at the first read, once, since most updates never read them.
 */
function stepGradientMoments(gradient: BatchMoments): StepGradientMoments {
  let meanSquare: Float64Array | null = null;
  return {
    count: gradient.count, mean: gradient.mean,
    get meanSquare() {
      meanSquare ??= meanSquares(gradient);
      return meanSquare;
    },
  };
}

/** One cell's estimator state (one per cell; a stateless estimator has an empty one). */
export class CellEstimatorState {
  /** The values in the state's `names` order: backends read this very array at every call. */
  readonly values: Float64Array;
  private readonly initial: Float64Array;
  /** The array state (see core/host-terms.ts), live like `values`; initialised for the first hard node's shape. */
  private arrays: Record<string, Float64Array> | null = null;
  private initialArrays: Record<string, Float64Array> = {};
  /** The width of the node the arrays were initialised for. */
  private arraysWidth = 0;
  /** The node batches of the step being drawn, while `trainingStep` collects them (null otherwise). */
  private collected: NodeSamples[] | null = null;

  constructor(private readonly estimator: EstimatorDefinition, private readonly params: ParameterValues, shape: StateShape) {
    this.initial = initialStateArray(estimator, params, shape);
    this.values = this.initial.slice();
  }

  /**
   * The live array state for a hard node of this shape, initialised at the first call (a staged
   * problem's state shape is its trained parameters', while the arrays are sized by the node).
   * @throws for a second node of another width: array state belongs to one node
   */
  arraysFor(shape: StateShape): Record<string, Float64Array> {
    const spec = this.estimator.state?.arrays;
    if (!spec) return {};
    if (this.arrays) {
      if (this.arraysWidth !== shape.dim) throw new Error(`${this.estimator.id} keeps array state for one hard node; this problem has nodes of widths ${this.arraysWidth} and ${shape.dim}`);
      return this.arrays;
    }
    this.initialArrays = spec.init(this.params, shape);
    this.arrays = Object.fromEntries(Object.entries(this.initialArrays).map(([name, array]) => [name, array.slice()]));
    this.arraysWidth = shape.dim;
    return this.arrays;
  }

  /**
   * Where a hard node reports each batch it computed, as a function that copies it: called only while a
   * training step collects batches (the step's own draw), so the variance gradients' redraws copy nothing.
   */
  readonly recordSamples = (samples: () => NodeSamples): void => {
    this.collected?.push(samples());
  };

  /** Whether the estimator has state (a training step then updates it). */
  get active(): boolean {
    return this.estimator.state !== undefined;
  }

  /** Back to the initial values (each training run starts from them). */
  reset(): void {
    this.values.set(this.initial);
    for (const [name, array] of Object.entries(this.arrays ?? {})) array.set(this.initialArrays[name]);
  }

  /** The current values by name, and of each array its length and norm (`<name>Length`, `<name>Norm`): what the results record. */
  current(): Record<string, number> {
    const arrays = Object.entries(this.arrays ?? {}).flatMap(([name, array]) => [[`${name}Length`, array.length], [`${name}Norm`, arrayNorm(array)]]);
    return { ...stateValues(this.estimator, this.values), ...Object.fromEntries(arrays) };
  }

  /**
   * The step's estimate with the current values, then the state's update. `draw` draws the step's
   * estimates; the variance gradients redraw them from a copy of the same stream (common random
   * numbers) at each perturbed value; `probe`, when the state reads objective values, draws the
   * objective of the same samples. Returns the step's estimates, drawn with the values before the update.
   */
  async trainingStep(step: number, rng: Rng, draw: MomentsDraw, probe: ObjectiveProbe | null): Promise<BatchMoments> {
    return this.trainingStepWith(step, rng, momentsDraws(draw), probe);
  }

  /** `trainingStep` with draws of any kind (float32 training's one estimate in its buffer): returns the step's own draw. */
  async trainingStepWith<Drawn>(step: number, rng: Rng, draws: StepDraws<Drawn>, probe: ObjectiveProbe | null): Promise<Drawn> {
    const state = this.estimator.state;
    if (!state) return draws.draw(rng);
    const start = rng.clone();
    // Only the step's own batches are collected, not the redraws of the variance gradients below (a
    // staged cell's objective values come from them too).
    this.collected = state.needsNodeSamples || state.needsObjectiveMoments ? [] : null;
    const gradient = await draws.draw(rng);
    const samples = this.collected;
    this.collected = null;
    const before = stateValues(this.estimator, this.values);
    const steps = state.varianceGradientSteps?.(this.params, before) ?? {};
    const varianceGradient: Record<string, number> = {};
    for (const [name, delta] of Object.entries(steps)) {
      const index = state.names.indexOf(name);
      if (index < 0) throw new Error(`${this.estimator.id}: varianceGradientSteps names '${name}', which is not a state value`);
      if (!(delta > 0)) continue;
      this.values[index] = before[name] + delta;
      const above = await draws.totalMeanSquare(start.clone());
      this.values[index] = before[name] - delta;
      const below = await draws.totalMeanSquare(start.clone());
      this.values[index] = before[name];
      varianceGradient[name] = (above - below) / (2 * delta);
    }
    let objective: StepObjectiveMoments | undefined;
    if (state.needsObjectiveMoments) {
      // A kernel cell redraws the step's samples with its probe; a staged cell's hard node handed over their values.
      const moments = probe ? await probe(start.clone()) : objectiveMomentsOf(samples ?? []);
      if (!moments) throw new Error(`${this.estimator.id} reads the objective values of its samples, which this cell does not offer`);
      objective = { count: moments.count, mean: moments.mean[0], variance: moments.count > 1 ? moments.sumOfSquaredDeviations[0] / (moments.count - 1) : 0 };
    }
    const input = {
      values: before, params: this.params, step, varianceGradient,
      gradient: draws.moments(gradient),
      ...(objective ? { objective } : {}),
      arrays: this.arrays ?? {},
      ...(samples && state.needsNodeSamples ? { samples } : {}),
    };
    const updated = state.update(input);
    const updatedArrays = state.arrays && this.arrays ? state.arrays.update(input) : {};
    this.values.set(stateArray(this.estimator, { ...before, ...updated }));
    for (const [name, array] of Object.entries(updatedArrays)) {
      const live = this.arrays?.[name];
      if (!live || live.length !== array.length) throw new Error(`${this.estimator.id}: updated array '${name}' is not a state array of ${array.length} numbers`);
      if (!array.every(Number.isFinite)) throw new Error(`${this.estimator.id}: updated array '${name}' is not finite`);
      live.set(array);
    }
    return gradient;
  }
}

/** Draws the objective values of the samples a stream gives (entry 0 of the moments: L of each sample's first evaluation). */
export type ObjectiveProbe = (rng: Rng) => Promise<BatchMoments>;

/** L of the first evaluation of every row of the batches, in order ([rows] over all batches). */
export function firstEvaluationObjectives(samples: readonly NodeSamples[]): Float64Array {
  const values = new Float64Array(samples.reduce((total, batch) => total + batch.rows, 0));
  let offset = 0;
  for (const batch of samples) {
    if (!batch.objectives) throw new Error('a hard node recorded a batch without its objective values');
    for (let row = 0; row < batch.rows; row++) values[offset + row] = batch.objectives[row * batch.evaluations];
    offset += batch.rows;
  }
  return values;
}

/** The moments of the recorded rows' objective values, as the probe gives them (entry 0); null when no row was recorded. */
function objectiveMomentsOf(samples: readonly NodeSamples[]): BatchMoments | null {
  const values = firstEvaluationObjectives(samples);
  return values.length > 0 ? momentsOfRows(values, values.length, 1) : null;
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
