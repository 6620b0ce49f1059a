import type { PreparedCell } from '../core/backend.js';
import type { ReferenceGradient, ScoringTarget } from '../core/suite.js';
import type { EstimatorDefinition } from '../core/estimator.js';
import type { ReadyCell } from './cell.js';
import { scoreGradient } from './metrics.js';
import { mergeMoments, momentsOfRows, type BatchMoments } from '../core/moments.js';
import type { Rng } from '../core/rng.js';
import type { GradientScores } from '../core/types.js';

/** Where a baseline is estimated: the cell's estimator at `logits`, at training `step` (default 0). */
export interface BaselineRequest {
  readonly cell: PreparedCell;
  readonly estimator: EstimatorDefinition;
  readonly logits: Float64Array;
  /** Pilot estimates per backend call at most. */
  readonly batchSize: number;
  readonly rng: Rng;
  readonly step?: number;
}

/**
 * The estimator's per-unit baseline at `logits`, from its own pilot batch (drawn from `rng`, so it is
 * independent of the samples it will centre); zeros for estimators without a baseline.
 */
export async function estimateBaseline({ cell, estimator, logits, batchSize, rng, step = 0 }: BaselineRequest): Promise<Float64Array> {
  // A staged cell reads no baseline from here (it draws its own inside its stages): an empty one spares
  // a network step zeroing a vector as long as its parameters.
  if (cell.baselineInside) return new Float64Array(0);
  if (!estimator.kernels.baselineWeight) return new Float64Array(logits.length);
  let remaining = estimator.baselinePilotSamples ?? 1024;
  const weightedObjective = new Float64Array(logits.length);
  const weight = new Float64Array(logits.length);
  while (remaining > 0) {
    const count = Math.min(remaining, batchSize);
    const sums = await cell.baselineSums(logits, count, rng, step);
    for (let unit = 0; unit < logits.length; unit++) {
      weightedObjective[unit] += sums.weightedObjective[unit];
      weight[unit] += sums.weight[unit];
    }
    remaining -= count;
  }
  return weightedObjective.map((total, unit) => (weight[unit] > 0 ? total / weight[unit] : 0));
}

/** Fails the cell when an estimator produced NaN or Inf, whichever backend computed the moments. */
export function assertFinite(values: Float64Array | Float32Array, what: string): void {
  // x · 0 is 0 for every finite x and NaN for NaN and ±Inf: one multiply-add per unit finds whether
  // there is anything to report (a network step checks some 300 000 units), the loop below finds where.
  let probe = 0;
  for (let unit = 0; unit < values.length; unit++) probe += values[unit] * 0;
  if (probe === 0) return;
  for (let unit = 0; unit < values.length; unit++) {
    if (!Number.isFinite(values[unit])) {
      throw new Error(`${what} is ${values[unit]} at unit ${unit}: the estimator produced NaN or Inf`);
    }
  }
}

/** What `scoreAtLogits` scores: `samples` estimates of the cell's estimator at `logits`. */
export interface ScoringRequest {
  readonly cell: ReadyCell;
  readonly estimator: EstimatorDefinition;
  readonly logits: Float64Array;
  readonly samples: number;
  /** Estimates per backend call at most. */
  readonly batchSize: number;
  readonly rng: Rng;
  /** The training step the kernels see (0 when scoring at the start; the point's step along training). */
  readonly step?: number;
}

/**
 * Fails the cell when the suite's reference gradient (a plug-in suite's exact gradient included) has
 * the wrong length or a non-finite entry: scores against it would be null or meaningless.
 */
export function checkReference(reference: ReferenceGradient, length: number): ReferenceGradient {
  const { gradient, stdErr } = reference;
  if (gradient.length !== length) {
    throw new Error(`the suite's reference gradient has ${gradient.length} entries, not ${length} (one per trained parameter): a bug of the suite`);
  }
  for (let index = 0; index < gradient.length; index++) {
    if (!Number.isFinite(gradient[index])) throw new Error(`the suite's reference gradient is ${gradient[index]} at entry ${index}: a bug of the suite`);
  }
  if (stdErr && (stdErr.length !== length || Array.prototype.some.call(stdErr, (value: number) => !Number.isFinite(value)))) {
    throw new Error(`the suite's reference standard errors are not ${length} finite numbers: a bug of the suite`);
  }
  return reference;
}

/**
 * Scores the estimator at the trained parameters `logits`: its baseline from a pilot batch, then
 * `samples` estimates drawn from the same stream, against the cell's reference gradient. Null when the
 * suite has no reference gradient: then there is nothing honest to score, and nothing is drawn.
 */
export async function scoreAtLogits(request: ScoringRequest): Promise<GradientScores | null> {
  const { cell, estimator, logits, samples, batchSize, rng, step = 0 } = request;
  if (cell.scoring) return scoreTarget(cell.scoring, request);
  const found = await cell.referenceGradient(logits);
  if (!found) return null;
  const reference = checkReference(found, logits.length);
  const baseline = await estimateBaseline({ cell, estimator, logits, batchSize, rng, step });
  return scoreGradient(await drawMoments({ cell, logits, baseline, samples, batchSize, rng, step }), reference);
}

/**
 * Scores the estimator at a point of training (`--score-at`), the trained parameters `logits` after
 * `step` steps, against the suite's reference recomputed there: as `scoreAtLogits` where the suite
 * scores the trained parameters, at the suite's scoring target for these parameters where it has its
 * own target (a VAE), and null where it has no reference at this point.
 */
export async function scoreAlongTraining(request: ScoringRequest): Promise<GradientScores | null> {
  const { cell, logits } = request;
  if (!cell.scoring) return scoreAtLogits(request);
  const target = cell.scoringAt?.(logits);
  return target ? scoreTarget(target, request) : null;
}

/** Scores a staged cell's own scoring target (a VAE's encoder logits) against its reference. */
async function scoreTarget(target: ScoringTarget, { samples, batchSize, rng, step = 0 }: ScoringRequest): Promise<GradientScores | null> {
  const found = await target.reference();
  if (!found) return null;
  const reference = checkReference(found, target.length);
  let moments: BatchMoments | null = null;
  for (let drawn = 0; drawn < samples; drawn += batchSize) {
    const count = Math.min(batchSize, samples - drawn);
    const batch = momentsOfRows(await target.estimates(count, rng, step), count, target.length);
    assertFinite(batch.mean, 'mean gradient');
    moments = moments ? mergeMoments(moments, batch) : batch;
  }
  return scoreGradient(moments!, reference);
}

/** What `drawMoments` draws: `samples` estimates at `logits`, centred by `baseline`, seen by the kernels at training `step` (default 0). */
export interface MomentsRequest {
  readonly cell: PreparedCell;
  readonly logits: Float64Array;
  readonly baseline: Float64Array;
  readonly samples: number;
  /** Estimates per backend call at most. */
  readonly batchSize: number;
  readonly rng: Rng;
  readonly step?: number;
}

/** Draws `samples` single-sample estimates in batches of at most `batchSize` and merges their moments. */
export async function drawMoments({ cell, logits, baseline, samples, batchSize, rng, step = 0 }: MomentsRequest): Promise<BatchMoments> {
  let moments: BatchMoments | null = null;
  for (let drawn = 0; drawn < samples; drawn += batchSize) {
    const batch = await cell.estimateMoments(logits, baseline, Math.min(batchSize, samples - drawn), rng, step);
    assertFinite(batch.mean, 'mean gradient');
    // The spread of one estimate is zero or, on the fused path, computed from its finite mean.
    if (batch.count > 1) assertFinite(batch.sumOfSquaredDeviations, 'gradient variance');
    moments = moments ? mergeMoments(moments, batch) : batch;
  }
  if (!moments) throw new Error('samples must be positive');
  return moments;
}
