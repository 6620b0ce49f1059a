/**
 * Seeded random numbers: xoshiro128** for uniforms, Marsaglia's polar method for normals.
 *
 * The class is self-contained (no outer references) because worker threads of the CPU backend
 * rebuild it from its source text.
 *
 * Uniforms carry 23 random bits and lie strictly inside (0, 1), so they are exact in float32:
 * the GPU backend uploads the very same draws the CPU backend consumes, and both see one noise stream.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Second normal of the last polar-method pair, NaN when none is cached. */
  private spareNormal = Number.NaN;

  /** @param seed any integer; streams for different seeds are independent for practical purposes. */
  constructor(seed: number) {
    // splitmix32 expands the seed so that nearby seeds give unrelated states.
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next() | 1;
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const scrambled = Math.imul(this.s1, 5);
    const result = Math.imul((scrambled << 7) | (scrambled >>> 25), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result >>> 0;
  }

  /** Uniform in the open interval (0, 1): (k + 1/2) / 2^23 for a random 23-bit k, so exact in float32. */
  nextUniform(): number {
    return ((this.nextUint32() >>> 9) + 0.5) * 1.1920928955078125e-7;
  }

  /** Standard normal N(0, 1). */
  nextNormal(): number {
    const spare = this.spareNormal;
    if (spare === spare) {
      this.spareNormal = Number.NaN;
      return spare;
    }
    let a: number;
    let b: number;
    let radiusSquared: number;
    do {
      a = 2 * this.nextUniform() - 1;
      b = 2 * this.nextUniform() - 1;
      radiusSquared = a * a + b * b;
    } while (radiusSquared >= 1);
    const scale = Math.sqrt((-2 * Math.log(radiusSquared)) / radiusSquared);
    this.spareNormal = b * scale;
    return a * scale;
  }
}

/** Stable 32-bit hash of strings and numbers (FNV-1a), for deriving independent per-cell seeds. */
export function hashSeed(...parts: Array<string | number>): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    const text = `${String(part)}\u0000`;
    for (let index = 0; index < text.length; index++) {
      hash ^= text.charCodeAt(index);
      hash = Math.imul(hash, 0x01000193);
    }
  }
  return hash >>> 0;
}

/** Samples per noise chunk: each chunk of a call draws from its own stream, so threads can share the work. */
export const noiseChunkSamples = 1024;

/**
 * Seeds of the noise chunks of one call of `count` samples, drawn from the call's stream. Chunk c
 * covers samples [c * noiseChunkSamples, (c + 1) * noiseChunkSamples) and draws, sample by sample and
 * element by element, the element's noise (u, then v when the estimator declares two draws).
 */
export function chunkSeeds(rng: Rng, count: number): Uint32Array {
  const seeds = new Uint32Array(Math.ceil(count / noiseChunkSamples));
  for (let chunk = 0; chunk < seeds.length; chunk++) seeds[chunk] = rng.nextUint32();
  return seeds;
}
