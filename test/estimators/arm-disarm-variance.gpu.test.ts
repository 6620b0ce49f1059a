import { beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { builtInEstimators } from '../../estimators/index.js';
import { sampleEstimator, toyProblem } from '../support/helpers.js';

/**
 * DisARM against ARM on bernoulli-toy at t = 0.499 (the setting of the DisARM paper's toy), with the
 * variances derived by hand and measured with their own uncertainty.
 *
 * On the toy, f(b) − f(b') = Δ Σⱼ (bⱼ − b'ⱼ) with Δ = ℓ(1) − ℓ(0) = 1 − 2t. For unit j let
 * Dⱼ = 1[uⱼ > 1 − pⱼ] − 1[uⱼ < pⱼ] (ARM's pair difference) and mⱼ = min(pⱼ, 1 − pⱼ); then Dⱼ ≠ 0 exactly
 * when uⱼ < mⱼ or uⱼ > 1 − mⱼ, so E[Dⱼ] = 0 and E[Dⱼ²] = 2mⱼ, independently across units.
 * - ARM: gᵢ = Δ S (uᵢ − ½) with S = Σⱼ Dⱼ, so
 *   E[gᵢ²] = Δ² (E[(uᵢ − ½)² Dᵢ²] + (1/12) Σ_{j≠i} 2mⱼ), E[(u − ½)² D²] = 2∫₀^m (u − ½)² du = (2/3)((m − ½)³ + 1/8).
 * - DisARM: gᵢ = ½ Δ S (−1)^{b'ᵢ} 1[bᵢ ≠ b'ᵢ] σ(|θᵢ|) up to sign, so
 *   E[gᵢ²] = ¼ Δ² σ(|θᵢ|)² · 2mᵢ (1 + 2 Σ_{j≠i} mⱼ).
 * Var gᵢ = E[gᵢ²] − (pᵢ(1 − pᵢ)Δ)² for both (both are unbiased).
 */
const target = 0.499;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function handDerivedVariances(logits: Float64Array): { arm: number[]; disarm: number[] } {
  const delta = 1 - 2 * target;
  const p = Array.from(logits, sigmoid);
  const m = p.map((value) => Math.min(value, 1 - value));
  const totalM = m.reduce((sum, value) => sum + value, 0);
  const squaredGradient = p.map((value) => (value * (1 - value) * delta) ** 2);
  const arm = m.map((mi, i) => delta ** 2 * ((2 / 3) * ((mi - 0.5) ** 3 + 1 / 8) + (1 / 12) * 2 * (totalM - mi)) - squaredGradient[i]);
  const disarm = m.map((mi, i) => 0.25 * delta ** 2 * Math.max(p[i], 1 - p[i]) ** 2 * 2 * mi * (1 + 2 * (totalM - mi)) - squaredGradient[i]);
  return { arm, disarm };
}

/** Mean and standard error of each column of `rows` (replicates × values). */
function meanAndStandardError(rows: number[][]): { mean: number[]; standardError: number[] } {
  const count = rows.length;
  const mean = rows[0].map((_, column) => rows.reduce((sum, row) => sum + row[column], 0) / count);
  const standardError = mean.map((center, column) =>
    Math.sqrt(rows.reduce((sum, row) => sum + (row[column] - center) ** 2, 0) / (count - 1) / count));
  return { mean, standardError };
}

/**
 * 24 independent replicates of 4096 estimates each: per replicate, each unit's sample variance and
 * their sum. The spread across replicates gives each variance estimate its standard error (23 degrees
 * of freedom, so a 5-se band still fails by chance with probability below 1e-4 per check).
 */
const replicates = 24;
const samplesPerReplicate = 4096;

describeEachBackend('DisARM against ARM (bernoulli-toy, t = 0.499)', (backend) => {
  const measured: Record<string, { mean: number[]; standardError: number[] }> = {};
  const problem = toyProblem({ t: target });
  const expected = handDerivedVariances(problem.initialLogits);

  beforeAll(async () => {
    for (const id of ['arm', 'disarm']) {
      const rows: number[][] = [];
      for (let replicate = 0; replicate < replicates; replicate++) {
        const moments = await sampleEstimator(backend(), builtInEstimators.get(id)!, problem, samplesPerReplicate, 1000 + replicate);
        const variances = Array.from(moments.sumOfSquaredDeviations, (deviations) => deviations / (moments.count - 1));
        rows.push([...variances, variances.reduce((sum, value) => sum + value, 0)]);
      }
      measured[id] = meanAndStandardError(rows);
    }
  });

  it('the hand-derived variance of DisARM is below ARM\'s on every unit (Rao–Blackwell)', () => {
    expect(expected.disarm.every((value, unit) => value < expected.arm[unit])).toBe(true);
  });

  it.each(['arm', 'disarm'] as const)('%s: measured variance per unit and in total within 5 se of the hand-derived one', (id) => {
    const { mean, standardError } = measured[id];
    const handDerived = [...expected[id], expected[id].reduce((sum, value) => sum + value, 0)];
    const outside = handDerived
      .map((value, index) => ({ index, value, distance: Math.abs(mean[index] - value) / standardError[index] }))
      .filter(({ distance }) => distance > 5)
      .map(({ index, value, distance }) => `${index < problem.dim ? `unit ${index}` : 'total'}: ${mean[index].toPrecision(4)} vs ${value.toPrecision(4)} (${distance.toFixed(1)} se)`);
    expect(outside).toEqual([]);
  });

  it('DisARM\'s measured total variance is not above ARM\'s: it is lower by more than 5 se of the difference', () => {
    const total = problem.dim;
    const difference = measured.arm.mean[total] - measured.disarm.mean[total];
    const standardError = Math.hypot(measured.arm.standardError[total], measured.disarm.standardError[total]);
    expect(difference).toBeGreaterThan(5 * standardError);
  });
});
