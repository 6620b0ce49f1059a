import { describe, expect, it } from 'vitest';
import { chunkSeeds, hashSeed, noiseChunkSamples, Rng } from '../../core/rng.js';

describe('Rng', () => {
  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const first = new Rng(42);
    const second = new Rng(42);
    const third = new Rng(43);
    const a = Array.from({ length: 8 }, () => first.nextUint32());
    expect(Array.from({ length: 8 }, () => second.nextUint32())).toEqual(a);
    expect(Array.from({ length: 8 }, () => third.nextUint32())).not.toEqual(a);
  });

  it('draws uniforms strictly inside (0, 1), exact in float32, with mean 1/2 and variance 1/12', () => {
    const rng = new Rng(1);
    const count = 200_000;
    let sum = 0;
    let sumOfSquares = 0;
    for (let index = 0; index < count; index++) {
      const value = rng.nextUniform();
      expect(value > 0 && value < 1).toBe(true);
      expect(Math.fround(value)).toBe(value);
      sum += value;
      sumOfSquares += value * value;
    }
    const mean = sum / count;
    const variance = sumOfSquares / count - mean * mean;
    // Standard error of the mean is sqrt(1/12/count) ~ 6.5e-4.
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / count));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
  });

  it('draws standard normals with mean 0, variance 1 and the normal tail mass', () => {
    const rng = new Rng(2);
    const count = 200_000;
    let sum = 0;
    let sumOfSquares = 0;
    let beyondTwo = 0;
    for (let index = 0; index < count; index++) {
      const value = rng.nextNormal();
      sum += value;
      sumOfSquares += value * value;
      if (Math.abs(value) > 2) beyondTwo++;
    }
    const mean = sum / count;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(count));
    expect(Math.abs(sumOfSquares / count - 1)).toBeLessThan(5 * Math.sqrt(2 / count));
    // P(|Z| > 2) = 0.0455; binomial standard error ~ 4.7e-4.
    expect(Math.abs(beyondTwo / count - 0.0455)).toBeLessThan(0.0025);
  });

  it('draws standard exponentials: positive and finite, with the Exp(1) distribution function, mean, variance and tail', () => {
    const rng = new Rng(4);
    const count = 400_000;
    const values = new Float64Array(count);
    for (let index = 0; index < count; index++) values[index] = rng.nextExponential();
    expect(values.every((value) => value > 0 && Number.isFinite(value))).toBe(true);
    let sum = 0;
    let sumOfSquares = 0;
    for (const value of values) {
      sum += value;
      sumOfSquares += value * value;
    }
    const mean = sum / count;
    // Exp(1): mean 1, variance 1 (so E[X^2] = 2), and Var(X^2) = E[X^4] - 4 = 20.
    expect(Math.abs(mean - 1)).toBeLessThan(5 / Math.sqrt(count));
    expect(Math.abs(sumOfSquares / count - 2)).toBeLessThan(5 * Math.sqrt(20 / count));
    // Kolmogorov–Smirnov against F(x) = 1 - exp(-x): D above 1.95 / sqrt(n) has probability 0.001 under Exp(1).
    const sorted = Float64Array.from(values).sort();
    let largestGap = 0;
    sorted.forEach((value, index) => {
      const cdf = 1 - Math.exp(-value);
      largestGap = Math.max(largestGap, Math.abs(cdf - index / count), Math.abs(cdf - (index + 1) / count));
    });
    expect(largestGap).toBeLessThan(1.95 / Math.sqrt(count));
    // The tail beyond the last layer's edge r = 7.697 (drawn as r + Exp(1)): P = exp(-r) = 4.54e-4, about 182 of 400 000.
    const beyondTail = values.filter((value) => value > 7.69711747013104972).length;
    expect(Math.abs(beyondTail - count * Math.exp(-7.69711747013104972))).toBeLessThan(5 * Math.sqrt(count * Math.exp(-7.69711747013104972)));
    // And the wedge layers: P(X > 3) = exp(-3).
    const beyondThree = values.filter((value) => value > 3).length / count;
    expect(Math.abs(beyondThree - Math.exp(-3))).toBeLessThan(5 * Math.sqrt(Math.exp(-3) / count));
  });

  it('draws the same exponentials through nextExponential and fillExponential', () => {
    const single = new Rng(6);
    const filled = new Float64Array(100_000);
    new Rng(6).fillExponential(filled, filled.length);
    let mismatches = 0;
    for (const value of filled) if (single.nextExponential() !== value) mismatches++;
    expect(mismatches).toBe(0);
  });

  it('hands out one seed per noise chunk from the call stream', () => {
    expect(chunkSeeds(new Rng(3), noiseChunkSamples * 2 + 1)).toHaveLength(3);
    expect(Array.from(chunkSeeds(new Rng(3), 10))).toEqual(Array.from(chunkSeeds(new Rng(3), 10)));
    expect(hashSeed(1, 'a')).not.toBe(hashSeed(1, 'b'));
  });

  it('rebuilds from its own source text (worker threads depend on it)', () => {
    const Rebuilt = new Function(`return (${Rng.toString()});`)() as typeof Rng;
    const original = new Rng(9);
    const rebuilt = new Rebuilt(9);
    for (let index = 0; index < 100; index++) expect(rebuilt.nextNormal()).toBe(original.nextNormal());
    for (let index = 0; index < 1000; index++) expect(rebuilt.nextExponential()).toBe(original.nextExponential());
  });
});

describe('Rng normals against the plain ziggurat', () => {
  /** Marsaglia and Tsang's loop as first written (exp in every wedge test), on the same tables and bits. */
  function plainNormal(rng: Rng): number {
    for (;;) {
      const bits = rng.nextUint32() | 0;
      const layer = bits & 127;
      const value = bits >> 7;
      const x = value * Rng.zigguratWidth[layer];
      if (Math.abs(value) < Rng.zigguratThreshold[layer]) return x;
      if (layer === 0) {
        let tail: number;
        let y: number;
        do {
          tail = -Math.log(rng.nextUniform()) / 3.442619855899;
          y = -Math.log(rng.nextUniform());
        } while (y + y < tail * tail);
        return value > 0 ? 3.442619855899 + tail : -3.442619855899 - tail;
      }
      const density = Rng.zigguratDensity[layer];
      if (density + rng.nextUniform() * (Rng.zigguratDensity[layer - 1] - density) < Math.exp(-0.5 * x * x)) return x;
    }
  }

  it('draws the same numbers through nextNormal and fillNormal (squeeze, fast path and all)', () => {
    const reference = new Rng(31);
    const single = new Rng(31);
    const bulk = new Rng(31);
    const filled = new Float64Array(1_000_000);
    bulk.fillNormal(filled, filled.length);
    let mismatches = 0;
    for (let index = 0; index < filled.length; index++) {
      const expected = plainNormal(reference);
      if (single.nextNormal() !== expected || filled[index] !== expected) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(bulk.nextUint32()).toBe(reference.nextUint32());
  });
});
