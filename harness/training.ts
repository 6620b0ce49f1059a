import type { EstimatorDefinition } from '../core/estimator.js';
import type { ReadyCell } from './cell.js';
import { optionDefaults } from './config.js';
import type { Rng } from '../core/rng.js';
import { createOptimizer } from './optimizer.js';
import { drawMoments, estimateBaseline } from './sampling.js';
import { summariseScoresAlongTraining, type ScoredPoint, type TrainingPoint, type TrajectoryScorer } from './scores-along-training.js';
import type { TrainingMetricCurve, TrainingOptions, TrainingResult } from '../core/types.js';

/** Loss curves keep at most this many points (evenly spaced, the last step always included) unless the suite asks for fewer. */
const maxCurvePoints = 1000;
/** Defaults where neither the command line nor the suite sets a training option. */
export const trainingFallbacks = Object.freeze({ learningRate: optionDefaults.learningRate, samplesPerStep: optionDefaults.trainSamples, optimizer: 'adam' as const });

/** One training run: the loss (and any further metrics) at the recorded steps, and the time of each step. */
interface TrainingRun {
  readonly step: number[];
  readonly loss: number[];
  readonly metrics: Record<string, number[]>;
  readonly stepMilliseconds: number[];
  /** The scores at the scorer's steps, in step order (empty without one). */
  readonly scored: ScoredPoint[];
  /** The estimator's state values after the last step (empty for a stateless estimator). */
  readonly finalState: Record<string, number>;
}

/** The settings of a training run once the command line and the suite's defaults are merged. */
export function resolveTraining(options: TrainingOptions, cell: ReadyCell) {
  return {
    steps: options.steps,
    batchSize: options.batchSize,
    learningRate: options.learningRate ?? cell.trainingDefaults.learningRate ?? trainingFallbacks.learningRate,
    samplesPerStep: options.samplesPerStep ?? cell.trainingDefaults.samplesPerStep ?? trainingFallbacks.samplesPerStep,
    optimizer: options.optimizer ?? cell.trainingDefaults.optimizer ?? trainingFallbacks.optimizer,
  };
}

async function trainOnce(
  cell: ReadyCell, estimator: EstimatorDefinition, options: TrainingOptions, rng: Rng, run: number, scorer?: TrajectoryScorer,
): Promise<TrainingRun> {
  const settings = resolveTraining(options, cell);
  const params = Float64Array.from(cell.initialParameters);
  const optimizer = createOptimizer(settings.optimizer, settings.learningRate, params.length);
  const stride = Math.max(1, Math.ceil(settings.steps / (cell.trainingDefaults.curvePoints ?? maxCurvePoints)));
  const result: TrainingRun = { step: [], loss: [], metrics: {}, stepMilliseconds: [], scored: [], finalState: {} };
  // Every run starts from the state's initial values, as from the initial parameters.
  cell.estimatorState.reset();
  const record = async (step: number) => {
    const evaluation = await cell.evaluate(params);
    result.step.push(step);
    result.loss.push(evaluation.loss);
    for (const [name, value] of Object.entries(evaluation.metrics ?? {})) (result.metrics[name] ??= []).push(value);
  };
  const scoreSteps = new Set(scorer?.steps);
  const scoreHere = async (step: number) => {
    if (!scorer) return;
    // A stateful estimator's values at this point are recorded beside the scores.
    const state = cell.estimatorState.current();
    const point: TrainingPoint = { step, run, params, ...(Object.keys(state).length > 0 ? { estimatorState: state } : {}) };
    result.scored.push({ step, scores: await scorer.score(point), ...(point.estimatorState ? { estimatorState: point.estimatorState } : {}) });
  };
  if (scoreSteps.has(0)) await scoreHere(0);
  await record(0);
  const batchSize = Math.min(settings.batchSize, settings.samplesPerStep);
  for (let step = 1; step <= settings.steps; step++) {
    const begin = performance.now();
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
    result.stepMilliseconds.push(performance.now() - begin);
    if (scoreSteps.has(step)) await scoreHere(step);
    if (step % stride === 0 || step === settings.steps) await record(step);
  }
  return { ...result, finalState: cell.estimatorState.current() };
}

function mean(values: number[]): number {
  return values.reduce((total, value) => total + value, 0) / values.length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Mean over runs at every recorded step, with the band and the standard error of the last value. */
function summarise(step: number[], runs: number[][]): TrainingMetricCurve {
  const at = (index: number) => runs.map((run) => run[index]);
  const finals = at(step.length - 1);
  const final = mean(finals);
  const spread = finals.reduce((total, value) => total + (value - final) ** 2, 0);
  return {
    final,
    finalStdErr: runs.length > 1 ? Math.sqrt(spread / (runs.length - 1) / runs.length) : 0,
    curve: {
      step,
      mean: step.map((_, index) => mean(at(index))),
      min: step.map((_, index) => Math.min(...at(index))),
      max: step.map((_, index) => Math.max(...at(index))),
    },
  };
}

/**
 * Trains the cell's parameters from their start with Adam (or SGD), once per stream in `rngs`, each
 * step using the mean of `samplesPerStep` single estimates; the loss is the cell's training loss (the
 * exact E[L] where the suite has it), averaged over runs, beside any further metrics the suite
 * evaluates and the median time of a training step. With a `scorer`, each run is scored at the
 * scorer's steps of its own trajectory (outside the timed steps; the scores draw from streams of their
 * own, so the trajectory is the one a run without them follows). `finalEstimatorStates` holds a
 * stateful estimator's values after each run: the results record them beside, not inside, the metrics.
 */
export async function trainLogits(
  cell: ReadyCell, estimator: EstimatorDefinition, options: TrainingOptions, rngs: readonly Rng[], scorer?: TrajectoryScorer,
): Promise<TrainingResult & { readonly finalEstimatorStates: Record<string, number>[] }> {
  const runs: TrainingRun[] = [];
  for (const [index, rng] of rngs.entries()) runs.push(await trainOnce(cell, estimator, options, rng, index, scorer));
  const step = runs[0].step;
  const loss = summarise(step, runs.map((run) => run.loss));
  const metricNames = Object.keys(runs[0].metrics);
  const stepTimes = runs.flatMap((run) => run.stepMilliseconds);
  const medianStep = stepTimes.length > 0 ? median(stepTimes) : 0;
  const { optimizer, learningRate, samplesPerStep } = resolveTraining(options, cell);
  const scoresAlongTraining = scorer ? summariseScoresAlongTraining(runs.map((run) => run.scored)) : undefined;
  return {
    finalLoss: loss.final,
    finalLossStdErr: loss.finalStdErr,
    lossCurve: { step, loss: loss.curve.mean, lossMin: loss.curve.min, lossMax: loss.curve.max },
    trainingSeeds: runs.length,
    finalEstimatorStates: runs.map((run) => run.finalState),
    trainingSettings: { optimizer, learningRate, samplesPerStep },
    ...(metricNames.length > 0
      ? { trainingMetrics: Object.fromEntries(metricNames.map((name) => [name, summarise(step, runs.map((run) => run.metrics[name]))])) }
      : {}),
    ...(stepTimes.length > 0
      ? { msPerTrainingStep: medianStep, msPerTrainingStepMad: median(stepTimes.map((time) => Math.abs(time - medianStep))) }
      : {}),
    ...(scoresAlongTraining ? { scoresAlongTraining } : {}),
  };
}
