import type { MonteCarloMean } from './categorical-reference.js';

/** One draw of a policy, for Monte Carlo written in tests: its objective value and its score ∂ log π / ∂θ. */
export interface ScoredDraw {
  readonly value: number;
  readonly score: Float64Array;
}

/**
 * GRPO's mean estimate by plain Monte Carlo, from its definition (Shao et al. 2024, as TRL computes
 * it): `groups` groups of k draws, each group's estimate (1/k) Σⱼ (fⱼ − mean) / (sample std + ε) · scoreⱼ,
 * the std with Bessel's k − 1. `draw` brings its own generator (never the harness's).
 */
export function grpoMeanByMonteCarlo(draw: () => ScoredDraw, width: number, k: number, epsilon: number, groups: number): MonteCarloMean {
  const sum = new Float64Array(width);
  const squares = new Float64Array(width);
  const estimate = new Float64Array(width);
  for (let group = 0; group < groups; group++) {
    const members = Array.from({ length: k }, draw);
    const mean = members.reduce((total, member) => total + member.value, 0) / k;
    const std = Math.sqrt(members.reduce((total, member) => total + (member.value - mean) ** 2, 0) / (k - 1));
    estimate.fill(0);
    for (const member of members) {
      const advantage = (member.value - mean) / (std + epsilon);
      for (let index = 0; index < width; index++) estimate[index] += (advantage * member.score[index]) / k;
    }
    for (let index = 0; index < width; index++) {
      sum[index] += estimate[index];
      squares[index] += estimate[index] ** 2;
    }
  }
  const mean = Array.from(sum, (total) => total / groups);
  return { mean, stdErr: Array.from(squares, (total, index) => Math.sqrt(Math.max(0, total / groups - mean[index] ** 2) / groups)) };
}

/** A categorical draw by inverse CDF from `uniform`: the class index. */
export function drawClass(probabilities: readonly number[], uniform: () => number): number {
  let u = uniform();
  let index = 0;
  while (index < probabilities.length - 1 && u >= probabilities[index]) u -= probabilities[index++];
  return index;
}
