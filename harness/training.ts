import type { PreparedCell } from '../backends/backend.js';
import type { EstimatorDefinition } from '../estimators/estimator.js';
import type { Problem } from '../suites/suite.js';
import type { Rng } from './rng.js';
import { drawMoments, estimateBaseline } from './sampling.js';
import type { TrainingOptions, TrainingResult } from './types.js';

const adamBeta1 = 0.9;
const adamBeta2 = 0.999;
const adamEpsilon = 1e-8;
/** Loss curves keep at most this many points (evenly spaced, the last step always included). */
const maxCurvePoints = 1000;

/** One training run: the exact loss at the recorded steps. */
async function trainOnce(
  cell: PreparedCell, estimator: EstimatorDefinition, problem: Problem, options: TrainingOptions, rng: Rng,
): Promise<{ step: number[]; loss: number[] }> {
  const logits = Float64Array.from(problem.initialLogits);
  const firstMoment = new Float64Array(problem.dim);
  const secondMoment = new Float64Array(problem.dim);
  const stride = Math.max(1, Math.ceil(options.steps / maxCurvePoints));
  const curve = { step: [0], loss: [problem.exactLoss(logits)] };
  const batchSize = Math.min(options.batchSize, options.samplesPerStep);
  for (let step = 1; step <= options.steps; step++) {
    // Kernels see the step counted from 0, as when scoring (annealing schedules start there).
    const baseline = await estimateBaseline(cell, estimator, logits, options.batchSize, rng, step - 1);
    const gradient = (await drawMoments(cell, logits, baseline, options.samplesPerStep, batchSize, rng, step - 1)).mean;
    const firstCorrection = 1 - adamBeta1 ** step;
    const secondCorrection = 1 - adamBeta2 ** step;
    for (let unit = 0; unit < problem.dim; unit++) {
      firstMoment[unit] = adamBeta1 * firstMoment[unit] + (1 - adamBeta1) * gradient[unit];
      secondMoment[unit] = adamBeta2 * secondMoment[unit] + (1 - adamBeta2) * gradient[unit] * gradient[unit];
      logits[unit] -=
        (options.learningRate * (firstMoment[unit] / firstCorrection)) / (Math.sqrt(secondMoment[unit] / secondCorrection) + adamEpsilon);
    }
    if (step % stride === 0 || step === options.steps) {
      curve.step.push(step);
      curve.loss.push(problem.exactLoss(logits));
    }
  }
  return curve;
}

/**
 * Trains the logits from the problem's start with Adam, once per stream in `rngs`, each step using the
 * mean of `samplesPerStep` single-sample estimates; the loss is the exact E[L], averaged over runs.
 */
export async function trainLogits(
  cell: PreparedCell, estimator: EstimatorDefinition, problem: Problem, options: TrainingOptions, rngs: readonly Rng[],
): Promise<TrainingResult> {
  const runs: Array<{ step: number[]; loss: number[] }> = [];
  for (const rng of rngs) runs.push(await trainOnce(cell, estimator, problem, options, rng));
  const step = runs[0].step;
  const at = (index: number) => runs.map((run) => run.loss[index]);
  const mean = (values: number[]) => values.reduce((total, value) => total + value, 0) / values.length;
  const finals = at(step.length - 1);
  const finalLoss = mean(finals);
  const spread = finals.reduce((total, value) => total + (value - finalLoss) ** 2, 0);
  return {
    finalLoss,
    finalLossStdErr: runs.length > 1 ? Math.sqrt(spread / (runs.length - 1) / runs.length) : 0,
    lossCurve: {
      step,
      loss: step.map((_, index) => mean(at(index))),
      lossMin: step.map((_, index) => Math.min(...at(index))),
      lossMax: step.map((_, index) => Math.max(...at(index))),
    },
    trainingSeeds: runs.length,
  };
}
