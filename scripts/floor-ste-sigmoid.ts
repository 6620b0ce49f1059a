#!/usr/bin/env node
/**
 * The project's floor reference for CPU speed: ste-sigmoid on bernoulli-toy written by hand as the
 * tightest single-threaded JavaScript loop we know (xoshiro128** inline with its state in locals, a
 * branch-free Bernoulli sample, one pass per sample, no calls), computing exactly what the CPU
 * backend computes for the same seed (the same noise chunks, the same expressions, the same sums), so
 * that the backend's time divided by this one is its overhead over the machine's JavaScript floor.
 * Usage: node dist/scripts/floor-ste-sigmoid.js [D] [S] [batches]; prints JSON shaped like the Python
 * peers' (`nsPerEstimate` of the median of 20 batches of S estimates, each reduced to mean and variance).
 */
import { pathToFileURL } from 'node:url';
import { chunkSeeds, noiseChunkSamples, Rng } from '../core/rng.js';

/** Mean and sum of squared deviations per unit of `count` ste-sigmoid estimates for f(b) = Σ (b_i − target)². */
export function steSigmoidFloorMoments(
  logits: Float64Array, target: number, count: number, rng: Rng,
): { mean: Float64Array; sumOfSquaredDeviations: Float64Array } {
  const dim = logits.length;
  const probabilities = logits.map((theta) => 1 / (1 + Math.exp(-theta)));
  const seeds = chunkSeeds(rng, count);
  const sums = new Float64Array(seeds.length * 2 * dim);
  for (let chunk = 0; chunk < seeds.length; chunk++) {
    const state = new Rng(seeds[chunk]);
    let s0 = state.s0 | 0, s1 = state.s1 | 0, s2 = state.s2 | 0, s3 = state.s3 | 0;
    const offset = chunk * 2 * dim;
    const end = Math.min(count, (chunk + 1) * noiseChunkSamples);
    for (let sample = chunk * noiseChunkSamples; sample < end; sample++) {
      for (let unit = 0; unit < dim; unit++) {
        const scrambled = Math.imul(s1, 5);
        const bits = Math.imul((scrambled << 7) | (scrambled >>> 25), 9);
        const shifted = s1 << 9;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= shifted;
        s3 = (s3 << 11) | (s3 >>> 21);
        const u = ((bits >>> 9) + 0.5) * 1.1920928955078125e-7;
        const p = probabilities[unit];
        const b = Math.ceil(p - u) + 0; // 1 when u < p, else 0, with no branch
        const estimate = 2 * (b - target) * p * (1 - p);
        sums[offset + unit] += estimate;
        sums[offset + dim + unit] += estimate * estimate;
      }
    }
  }
  // Chunk sums added in chunk order, then the one-pass variance, as the backend does.
  const sum = new Float64Array(dim);
  const sumOfSquares = new Float64Array(dim);
  for (let offset = 0; offset < sums.length; offset += 2 * dim) {
    for (let unit = 0; unit < dim; unit++) {
      sum[unit] += sums[offset + unit];
      sumOfSquares[unit] += sums[offset + dim + unit];
    }
  }
  const mean = sum.map((total) => total / count);
  return { mean, sumOfSquaredDeviations: sumOfSquares.map((squares, unit) => Math.max(0, squares - sum[unit] * mean[unit])) };
}

/** Median time per estimate, in ns, of `batches` batches of `count` estimates (after two warm-up batches). */
export function timeSteSigmoidFloor(dim: number, count: number, batches = 20): number {
  const logits = new Float64Array(dim).map((_, unit) => (dim === 1 ? 0 : -2 + (4 * unit) / (dim - 1)));
  const rng = new Rng(1);
  const times: number[] = [];
  for (let batch = 0; batch < batches + 2; batch++) {
    const start = performance.now();
    steSigmoidFloorMoments(logits, 0.45, count, rng);
    if (batch >= 2) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const middle = times.length >> 1;
  const median = times.length % 2 ? times[middle] : (times[middle - 1] + times[middle]) / 2;
  return (median * 1e6) / count;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [dim, count, batches] = [process.argv[2] ?? '256', process.argv[3] ?? '65536', process.argv[4] ?? '20'].map(Number);
  if (![dim, count, batches].every((value) => Number.isInteger(value) && value >= 1)) {
    process.stderr.write('floor-ste-sigmoid: D, S and the batch count must be whole numbers >= 1 (usage: floor-ste-sigmoid.js [D] [S] [batches])\n');
    process.exit(2);
  }
  const nsPerEstimate = { 'ste-sigmoid': timeSteSigmoidFloor(dim, count, batches) };
  process.stdout.write(`${JSON.stringify({ floor: 'tight single-threaded JavaScript loop', threads: 1, D: dim, S: count, nsPerEstimate })}\n`);
}
