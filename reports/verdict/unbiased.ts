/**
 * Whether an estimator's bias is within noise: a test on the cells' mean gradients, not a ranking of
 * the noisy bias norm. Unbiased estimators are then compared by variance at equal cost.
 */
import { gradientScores, type GradientScores } from '../../core/types.js';
import type { CompletedCell } from '../cells.js';
import { normalUpperQuantile } from './noise.js';

/**
 * Chance that an unbiased estimator is called biased (per test): small, because a false "biased" would
 * drop an estimator from the variance comparison.
 */
export const falseBiasRate = 0.01;

/** The bias norm counts as beyond noise above this many of its standard errors (see `biasTest`). */
export const biasNormK = 3;

/** The outcome of the bias test of one estimator over its seeds. */
export interface BiasTest {
  /** True when no test found a bias beyond noise. */
  readonly withinNoise: boolean;
  /** Largest |mean − reference| / SE over units, and the Bonferroni threshold it was held against. */
  readonly largestZ: number;
  readonly zThreshold: number;
  /** Estimates behind the test (N over the seeds). */
  readonly samples: number;
}

/**
 * Tests a bias of zero over the estimator's cells (the seeds of one estimator on one backend) by two
 * criteria; either one calls the bias real:
 * - per unit: z_i = (mean_i − reference_i) / SE_i with SE_i² = varianceByUnit_i / N (+ the Monte Carlo
 *   reference's variance, whose per-unit part is bounded by its norm), the seeds pooled; the largest
 *   |z_i| against the Bonferroni threshold for `falseBiasRate` over the units, valid whatever the
 *   correlation between units;
 * - in norm: ‖pooled mean − reference‖ > `biasNormK`·SE, SE the standard error of the pooled mean
 *   gradient (`biasStdErr` of one seed). Under no bias, bias²/SE² is a weighted sum of χ²₁ with weights
 *   summing to 1, which exceeds 9 with probability at most about that of one χ²₁ (0.27%).
 * Cells without per-unit moments (older files) use the norm criterion only.
 */
export function biasTest(cells: readonly CompletedCell[]): BiasTest | undefined {
  const scored = cells.flatMap((cell) => {
    const scores = gradientScores(cell.metrics);
    return scores ? [{ cell, scores }] : [];
  });
  if (scored.length === 0) return undefined;
  const samples = scored.reduce((total, { cell }) => total + cell.samples, 0);
  const seeds = scored.length;
  const units = scored[0].scores.meanGradient?.length ?? 0;
  const perUnit = units > 0 && scored.every(({ scores }) => scores.meanGradient?.length === units && scores.varianceByUnit?.length === units && scores.exactGradient?.length === units);
  const zThreshold = normalUpperQuantile(falseBiasRate / (2 * Math.max(1, units)));
  if (!perUnit) return { withinNoise: !normBeyondWithoutVectors(scored.map(({ scores }) => scores)), largestZ: Number.NaN, zThreshold, samples };
  let largestZ = 0;
  let unitBeyond = false;
  let squaredNorm = 0;
  for (let unit = 0; unit < units; unit++) {
    let difference = 0;
    let varianceOfDifference = 0;
    for (const { cell, scores } of scored) {
      difference += (scores.meanGradient[unit] - scores.exactGradient[unit]) / seeds;
      varianceOfDifference += (scores.varianceByUnit[unit] / cell.samples + (scores.referenceStdErr ?? 0) ** 2) / seeds ** 2;
    }
    squaredNorm += difference * difference;
    const scale = Math.max(...scored.map(({ scores }) => Math.abs(scores.exactGradient[unit])), Math.abs(difference));
    if (varianceOfDifference === 0) {
      // A unit whose estimates never vary: any difference beyond float rounding is a bias.
      if (Math.abs(difference) > 1e-6 * scale) unitBeyond = true;
      continue;
    }
    const z = Math.abs(difference) / Math.sqrt(varianceOfDifference);
    largestZ = Math.max(largestZ, z);
    if (z > zThreshold) unitBeyond = true;
  }
  // The seeds' pooled bias vector against the standard error of the pooled mean gradient.
  const pooledStdErr = Math.hypot(...scored.map(({ scores }) => scores.biasStdErr)) / seeds;
  const normBeyond = Math.sqrt(squaredNorm) > biasNormK * pooledStdErr;
  return { withinNoise: !normBeyond && !unitBeyond, largestZ, zThreshold, samples };
}

/**
 * The norm criterion without the vectors: norms of several seeds do not average towards zero, so each
 * seed's bias is held against its own standard error, and all seeds must exceed it.
 */
function normBeyondWithoutVectors(scores: readonly GradientScores[]): boolean {
  return scores.every((entry) => entry.bias > biasNormK * entry.biasStdErr);
}
