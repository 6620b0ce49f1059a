import type { BatchMoments } from '../core/moments.js';
import type { ReferenceGradient } from '../core/suite.js';
import type { GradientScores } from '../core/types.js';

function norm(values: ArrayLike<number>): number {
  let total = 0;
  for (let index = 0; index < values.length; index++) total += values[index] * values[index];
  return Math.sqrt(total);
}

/**
 * Scores N single-sample estimates (summarised by their moments) against the exact gradient.
 * `biasStdErr` is the standard error of the mean-gradient vector, sqrt(trace(Cov) / N): the size of
 * `bias` an unbiased estimator shows from sampling noise alone, and an upper bound on the
 * delta-method standard error of `bias` itself. A bias several times it is real. Against a Monte
 * Carlo reference, the reference's own standard error is added in quadrature.
 */
export function scoreGradient(moments: BatchMoments, reference: ReferenceGradient): GradientScores {
  const exactGradient = reference.gradient;
  const referenceVariance = reference.stdErr ? reference.stdErr.reduce((total, value) => total + value * value, 0) : 0;
  const samples = moments.count;
  const dim = exactGradient.length;
  const varianceByUnit = Array.from(moments.sumOfSquaredDeviations, (deviations) => (samples > 1 ? deviations / (samples - 1) : 0));
  const difference = Array.from({ length: dim }, (_, unit) => moments.mean[unit] - exactGradient[unit]);
  const variance = varianceByUnit.reduce((total, value) => total + value, 0);
  const bias = norm(difference);
  const exactNorm = norm(exactGradient);
  const meanNorm = norm(moments.mean);
  let dot = 0;
  for (let unit = 0; unit < dim; unit++) dot += moments.mean[unit] * exactGradient[unit];
  const populationVariance = variance * (samples > 1 ? (samples - 1) / samples : 0);
  return {
    exactGradient: Array.from(exactGradient),
    meanGradient: Array.from(moments.mean),
    varianceByUnit,
    bias,
    biasStdErr: Math.sqrt(variance / samples + referenceVariance),
    referenceKind: reference.kind,
    ...(reference.stdErr ? { referenceStdErr: Math.sqrt(referenceVariance) } : {}),
    relativeBias: exactNorm > 0 ? bias / exactNorm : Number.NaN,
    variance,
    mse: populationVariance + bias * bias,
    cosine: exactNorm > 0 && meanNorm > 0 ? dot / (exactNorm * meanNorm) : Number.NaN,
  };
}
