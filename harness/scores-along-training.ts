/**
 * Scores along training (`--score-at`): bias, variance, MSE and cosine at chosen steps of each training
 * run's own trajectory, against the suite's reference recomputed at that point, and their summary over
 * the training seeds. Training (training.ts) calls the scorer; this file decides what is scored and how.
 */
import type { EstimatorDefinition } from '../core/estimator.js';
import { hashSeed, Rng } from '../core/rng.js';
import type { GradientScores, ScoresAtStep, SeedScoresAtStep } from '../core/types.js';
import type { ReadyCell } from './cell.js';
import { scoreAlongTraining } from './sampling.js';

/** Where one training run stands at a step it is scored at. */
export interface TrainingPoint {
  /** Updates done so far (0: the start). */
  readonly step: number;
  /** Index of the training run (seed) among the cell's `--train-seeds`. */
  readonly run: number;
  /** The trained parameters after `step` updates; read only. */
  readonly params: Float64Array;
  /**
   * The values of the estimator's trainable state at this point, by name (absent for a stateless
   * estimator): the training loop sets it where it builds the point (`trainOnce` in training.ts); the
   * scores at this point record it as it is.
   */
  readonly estimatorState?: Readonly<Record<string, number>>;
}

/** Scores the points of a trajectory. */
export interface TrajectoryScorer {
  /** The steps to score, increasing. */
  readonly steps: readonly number[];
  /** The scores at one point, or null where the suite has no reference there. */
  score(point: TrainingPoint): Promise<GradientScores | null>;
}

/** The scores of one run at one point, as training collects them. */
export interface ScoredPoint {
  readonly step: number;
  readonly scores: GradientScores | null;
  readonly estimatorState?: TrainingPoint['estimatorState'];
}

/** What a cell's scorer along training needs. */
export interface TrajectoryScorerRequest {
  readonly cell: ReadyCell;
  readonly estimator: EstimatorDefinition;
  /** The cell's identity, which seeds the streams. */
  readonly seed: number;
  readonly suite: string;
  readonly estimatorId: string;
  readonly steps: readonly number[];
  /** Estimates per point (the run's `--samples`), drawn at most `batchSize` per backend call. */
  readonly samples: number;
  readonly batchSize: number;
}

/**
 * The stream a point is scored from. Step 0 of the first run is the point (and so the stream) of the
 * plain scores: the two agree exactly. Every other point has a stream of its own, apart from the
 * training streams, so scoring leaves the trajectory as it would be without `--score-at`.
 */
export function pointStream(seed: number, suite: string, estimator: string, run: number, step: number): Rng {
  return new Rng(run === 0 && step === 0 ? hashSeed(seed, suite, estimator, 'score') : hashSeed(seed, suite, estimator, 'score-at', run, step));
}

/** A scorer of the cell's estimator along its training runs, at `steps`, with `samples` estimates per point. */
export function trajectoryScorer(request: TrajectoryScorerRequest): TrajectoryScorer {
  const { cell, estimator, seed, suite, estimatorId, steps, samples, batchSize } = request;
  return {
    steps,
    score: ({ params, step, run }) => scoreAlongTraining({
      cell, estimator, logits: params, samples, batchSize, rng: pointStream(seed, suite, estimatorId, run, step), step,
    }),
  };
}

function norm(values: readonly number[]): number {
  return Math.sqrt(values.reduce((total, value) => total + value * value, 0));
}

function seedScores({ scores, estimatorState }: ScoredPoint & { scores: GradientScores }): SeedScoresAtStep {
  return {
    bias: scores.bias,
    biasStdErr: scores.biasStdErr,
    variance: scores.variance,
    mse: scores.mse,
    cosine: scores.cosine,
    referenceNorm: norm(scores.exactGradient),
    ...(scores.referenceStdErr !== undefined ? { referenceStdErr: scores.referenceStdErr } : {}),
    ...(estimatorState ? { estimatorState } : {}),
  };
}

/** Mean of `values` and its standard error (sample standard deviation over √n). */
function meanAndStdErr(values: readonly number[]): { mean: number; stdErr: number } {
  const mean = values.reduce((total, value) => total + value, 0) / values.length;
  const spread = values.reduce((total, value) => total + (value - mean) ** 2, 0);
  return { mean, stdErr: values.length > 1 ? Math.sqrt(spread / (values.length - 1) / values.length) : 0 };
}

/**
 * The scores along training over the runs (`runs[run]` holds the run's points in step order): per
 * step, each seed's scores, their means and the standard errors of the means over seeds. A step some
 * run could not score (no reference there) is left out; undefined when no step is left.
 */
export function summariseScoresAlongTraining(runs: readonly (readonly ScoredPoint[])[]): ScoresAtStep[] | undefined {
  const steps = runs[0]?.map((point) => point.step) ?? [];
  const summary = steps.flatMap((step, index): ScoresAtStep[] => {
    const points = runs.map((run) => run[index]);
    if (points.some((point) => point?.step !== step || !point.scores)) return [];
    const seeds = points.map((point) => seedScores(point as ScoredPoint & { scores: GradientScores }));
    const over = (field: 'bias' | 'variance' | 'mse' | 'cosine') => meanAndStdErr(seeds.map((scores) => scores[field]));
    const [bias, variance, mse, cosine] = [over('bias'), over('variance'), over('mse'), over('cosine')];
    return [{
      step,
      referenceKind: points[0].scores!.referenceKind,
      bias: bias.mean,
      variance: variance.mean,
      mse: mse.mean,
      cosine: cosine.mean,
      biasStdErr: meanAndStdErr(seeds.map((scores) => scores.biasStdErr)).mean,
      ...(seeds.length > 1 ? { stdErrOverSeeds: { bias: bias.stdErr, variance: variance.stdErr, mse: mse.stdErr, cosine: cosine.stdErr } } : {}),
      seeds,
    }];
  });
  return summary.length > 0 ? summary : undefined;
}
