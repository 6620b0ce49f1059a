import type { Rng } from '../core/rng.js';
import type { EstimatorDefinition } from '../core/estimator.js';
import type { OptimizerId, TrainingPrecision } from '../core/types.js';
import type { StepGradientMoments } from '../core/estimator-state.js';
import type { ReadyCell } from './cell.js';
import type { StepDraws } from './estimator-state.js';
import { adamConstants, createOptimizer } from './optimizer.js';
import { assertFinite, drawMoments, estimateBaseline } from './sampling.js';
import { adamModuleBytes, createFloat32Adam } from './wasm-adam.js';

/** A training run's resolved settings, as `resolveTraining` gives them. */
export interface StepperSettings {
  readonly optimizer: OptimizerId;
  readonly learningRate: number;
  readonly samplesPerStep: number;
  readonly batchSize: number;
  readonly precision: TrainingPrecision;
}

/** How a run's parameters move: one training step at a time, and where they are now. */
export interface ParameterStepper {
  /** The parameters now, as float64 (for evaluation and scores; float32 training copies them out). */
  current(): Float64Array;
  /** Training step `step` (counted from 1) from `rng`. */
  step(step: number, rng: Rng): Promise<void>;
}

/**
 * The precision a cell trains in: float32 where it is asked for (the command line's, else the suite's
 * choice) and the cell can (Adam, one estimate per step, a problem with `estimateInto` and no `ownUpdate`,
 * no objective probe, a JavaScript engine with WebAssembly SIMD), float64 otherwise. What is returned is
 * what the results record. An estimator with state trains in float32 too: its update reads the step's
 * estimate and the redraws' Σ ĝ², which float32 training computes from the same draws (`float32Draws`).
 */
export function effectivePrecision(
  cell: ReadyCell, requested: TrainingPrecision, settings: { optimizer: OptimizerId; samplesPerStep: number },
): TrainingPrecision {
  const float32Possible = cell.estimateInto !== undefined && settings.optimizer === 'adam' && settings.samplesPerStep === 1
    && !cell.objectiveProbe && !cell.ownUpdate && WebAssembly.validate(adamModuleBytes());
  return requested === 'float32' && float32Possible ? 'float32' : 'float64';
}

/** The harness's float64 path: the mean of the step's estimates (and the estimator's state update), then the JavaScript optimiser. */
function float64Stepper(cell: ReadyCell, estimator: EstimatorDefinition, settings: StepperSettings): ParameterStepper {
  const params = Float64Array.from(cell.initialParameters);
  const optimizer = createOptimizer(settings.optimizer, settings.learningRate, params.length);
  const batchSize = Math.min(settings.batchSize, settings.samplesPerStep);
  return {
    current: () => params,
    async step(step, rng) {
      cell.ownUpdate?.startStep();
      // Kernels see the step counted from 0, as when scoring (annealing schedules start there).
      const baseline = await estimateBaseline({ cell, estimator, logits: params, batchSize: settings.batchSize, rng, step: step - 1 });
      const draw = (stream: Rng) => drawMoments({ cell, logits: params, baseline, samples: settings.samplesPerStep, batchSize, rng: stream, step: step - 1 });
      const probeCell = cell.objectiveProbe;
      const probe = probeCell
        ? (stream: Rng) => drawMoments({ cell: probeCell, logits: params, baseline: new Float64Array(params.length), samples: settings.samplesPerStep, batchSize, rng: stream, step: step - 1 })
        : null;
      // A stateful estimator's state is updated from the step's samples (after they are drawn, so they never depend on it).
      const gradient = (await cell.estimatorState.trainingStep(step, rng, draw, probe)).mean;
      optimizer.update(params, gradient, step);
      // Parameters the problem updates by its own rule (a codebook's moving averages) are set after the optimiser's step.
      cell.ownUpdate?.finishStep(params);
    },
  };
}

/**
 * Float32 training: parameters, gradient and Adam's moments in one WebAssembly memory; the problem
 * writes its one estimate into the gradient, and Adam (with the finiteness check) is one SIMD pass.
 * The stream is drawn from as on the float64 path (a staged cell draws its baseline inside its stages).
 */
function float32Stepper(cell: ReadyCell, settings: StepperSettings): ParameterStepper {
  const estimateInto = cell.estimateInto!;
  const adam = createFloat32Adam(cell.initialParameters.length, { learningRate: settings.learningRate, ...adamConstants });
  adam.params.set(cell.initialParameters);
  // The variance gradients' redraws write here, so the step's own estimate stays in Adam's gradient.
  let redraw: Float32Array | null = null;
  return {
    current: () => Float64Array.from(adam.params),
    async step(step, rng) {
      const into = (gradient: Float32Array, stream: Rng) => estimateInto(adam.params, gradient, stream, step - 1);
      if (cell.estimatorState.active) {
        redraw ??= new Float32Array(adam.gradient.length);
        await cell.estimatorState.trainingStepWith(step, rng, float32Draws(into, adam.gradient, redraw), null);
      } else {
        await into(adam.gradient, rng);
      }
      if (!adam.update(step)) assertFinite(adam.gradient, 'mean gradient');
    },
  };
}

/**
 * Float32 training's draws for a stateful estimator's update: the step's one estimate into `gradient`,
 * each redraw into `redraw`, reduced to Σ ĝ² (summed in float64); the update reads the estimate as
 * float64 moments of one sample, copied only if it reads them.
 */
export function float32Draws(
  into: (gradient: Float32Array, rng: Rng) => Promise<void>, gradient: Float32Array, redraw: Float32Array,
): StepDraws<Float32Array> {
  return {
    async draw(rng) {
      await into(gradient, rng);
      return gradient;
    },
    async totalMeanSquare(rng) {
      await into(redraw, rng);
      return sumOfSquares(redraw);
    },
    moments: oneEstimateMoments,
  };
}

/** Σ x² in float64, from four running sums (one chain of dependent additions would set the pace); fails on NaN or Inf. */
function sumOfSquares(values: Float32Array): number {
  let first = 0;
  let second = 0;
  let third = 0;
  let fourth = 0;
  const whole = values.length - (values.length % 4);
  for (let entry = 0; entry < whole; entry += 4) {
    first += values[entry] * values[entry];
    second += values[entry + 1] * values[entry + 1];
    third += values[entry + 2] * values[entry + 2];
    fourth += values[entry + 3] * values[entry + 3];
  }
  for (let entry = whole; entry < values.length; entry++) first += values[entry] * values[entry];
  const total = first + second + third + fourth;
  if (!Number.isFinite(total)) assertFinite(values, 'mean gradient');
  return total;
}

/** One estimate as the moments an update reads (count 1: its mean is itself, its mean square its square), built at the first read. */
function oneEstimateMoments(estimate: Float32Array): StepGradientMoments {
  let mean: Float64Array | null = null;
  let meanSquare: Float64Array | null = null;
  return {
    count: 1,
    get mean() {
      mean ??= Float64Array.from(estimate);
      return mean;
    },
    get meanSquare() {
      meanSquare ??= Float64Array.from(estimate, (value) => value * value);
      return meanSquare;
    },
  };
}

/** The stepper of a run's settings (their precision as `effectivePrecision` resolved it). */
export function createParameterStepper(cell: ReadyCell, estimator: EstimatorDefinition, settings: StepperSettings): ParameterStepper {
  return settings.precision === 'float32' ? float32Stepper(cell, settings) : float64Stepper(cell, estimator, settings);
}
