/**
 * Standard errors of the scores that results.json does not carry itself, derived from what it does
 * carry. Shared by the Markdown tables and the baseline comparison so both use one definition.
 */
import type { GradientScores } from '../core/types.js';

/**
 * Standard error of the variance (trace of the covariance) from N samples: variance * sqrt(2 / (N - 1)).
 * Exact for Gaussian estimates whose units are perfectly correlated; an upper bound for independent
 * units, and an underestimate for heavy-tailed ones, hence the generous k of the comparison.
 */
export function varianceStdErr(metrics: Pick<GradientScores, 'variance'>, samples: number): number {
  return samples > 1 ? metrics.variance * Math.sqrt(2 / (samples - 1)) : Number.POSITIVE_INFINITY;
}

/**
 * Standard error of the MSE by the delta method on variance + bias^2, treating the two as independent:
 * sqrt(se(variance)^2 + (2 * bias * se(bias))^2). The stored MSE is (N - 1)/N * variance + bias^2
 * (harness/metrics.ts); the factor (N - 1)/N is left out here, a relative difference of 1/N.
 */
export function mseStdErr(metrics: Pick<GradientScores, 'variance' | 'bias' | 'biasStdErr'>, samples: number): number {
  return Math.hypot(varianceStdErr(metrics, samples), 2 * metrics.bias * metrics.biasStdErr);
}
