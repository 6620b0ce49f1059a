import { expect } from 'vitest';
import type { MonteCarloGradient } from '../../suites/local-expectation.js';

/**
 * Checks a Monte Carlo reference against an exact gradient over `replicates` independent runs of
 * `samples` samples each (`run(replicate)`): unbiased (the pooled mean within 5 pooled standard errors of
 * every exact entry) with honest standard errors (z² over all entries and replicates has mean
 * (samples − 1)/(samples − 3), Student's t with samples − 1 degrees of freedom, within 5 of its standard
 * deviations, about √(2.5/n) for n values). An entry with a zero standard error must be exact.
 */
export async function expectUnbiasedWithHonestErrors(
  exact: ArrayLike<number>, replicates: number, samples: number, run: (replicate: number) => Promise<MonteCarloGradient>,
): Promise<void> {
  const squaredZ: number[] = [];
  const pooled = new Float64Array(exact.length);
  const pooledVariance = new Float64Array(exact.length);
  for (let replicate = 0; replicate < replicates; replicate++) {
    const reference = await run(replicate);
    for (let entry = 0; entry < exact.length; entry++) {
      const error = reference.gradient[entry] - exact[entry];
      if (reference.stdErr[entry] === 0) expect(Math.abs(error)).toBeLessThan(1e-6);
      else squaredZ.push((error / reference.stdErr[entry]) ** 2);
      pooled[entry] += reference.gradient[entry] / replicates;
      pooledVariance[entry] += reference.stdErr[entry] ** 2 / replicates ** 2;
    }
  }
  const meanSquare = squaredZ.reduce((total, value) => total + value, 0) / squaredZ.length;
  expect(squaredZ.length).toBeGreaterThan(replicates * exact.length * 0.9);
  expect(Math.abs(meanSquare - (samples - 1) / (samples - 3))).toBeLessThan(5 * Math.sqrt(2.5 / squaredZ.length));
  for (let entry = 0; entry < exact.length; entry++) {
    expect(Math.abs(pooled[entry] - exact[entry]), `entry ${entry}`).toBeLessThan(5 * Math.sqrt(pooledVariance[entry]) + 1e-6);
  }
}
