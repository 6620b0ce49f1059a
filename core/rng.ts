/**
 * Seeded random numbers: xoshiro128** for uniforms, Marsaglia and Tsang's ziggurats for normals
 * (128 layers) and exponentials (256 layers); the layer index and the value come from disjoint bits of
 * the draw.
 *
 * The class is self-contained (no outer references) because worker threads of the CPU backend
 * rebuild it from its source text. Its state words and ziggurat tables are public because the CPU
 * backend's generated loops keep the state in local variables and inline the common paths
 * (backends/cpu-rng-source.ts); they hand the state back here for the rare slow path of a normal.
 *
 * Uniforms carry 23 random bits and lie strictly inside (0, 1), so they are exact in float32:
 * the GPU backend uploads the very same draws the CPU backend consumes, and both see one noise stream.
 */
export class Rng {
  /** xoshiro128** state words (int32); read and written only by this class and the generated loops. */
  s0: number;
  s1: number;
  s2: number;
  s3: number;

  /** Ziggurat tables: layer thresholds (scaled to 2^24), widths and densities at the layer edges. */
  static readonly zigguratThreshold = new Float64Array(128);
  static readonly zigguratWidth = new Float64Array(128);
  static readonly zigguratDensity = new Float64Array(128);
  /**
   * Per layer L >= 1, two lines in |x| below and above exp(-x^2/2) over the layer's wedge (|x| between
   * the edges x_(L-1) and x_L): [below c0, below c1, above c0, above c1] at 4 L. The chord and the tangent
   * at the midpoint, one on each side of a curve that is concave below |x| = 1 and convex above; a wedge
   * across 1 gets lines that decide nothing.
   */
  static readonly zigguratSqueeze = new Float64Array(4 * 128);
  static {
    const scale = 16777216;
    const tailStart = 3.442619855899;
    const layerArea = 9.91256303526217e-3;
    let edge = tailStart;
    let previousEdge = tailStart;
    const q = layerArea / Math.exp(-0.5 * edge * edge);
    Rng.zigguratThreshold[0] = (edge / q) * scale;
    Rng.zigguratThreshold[1] = 0;
    Rng.zigguratWidth[0] = q / scale;
    Rng.zigguratWidth[127] = edge / scale;
    Rng.zigguratDensity[0] = 1;
    Rng.zigguratDensity[127] = Math.exp(-0.5 * edge * edge);
    for (let layer = 126; layer >= 1; layer--) {
      edge = Math.sqrt(-2 * Math.log(layerArea / edge + Math.exp(-0.5 * edge * edge)));
      Rng.zigguratThreshold[layer + 1] = (edge / previousEdge) * scale;
      previousEdge = edge;
      Rng.zigguratDensity[layer] = Math.exp(-0.5 * edge * edge);
      Rng.zigguratWidth[layer] = edge / scale;
    }
    for (let layer = 1; layer < 128; layer++) {
      const inner = layer === 1 ? 0 : Rng.zigguratWidth[layer - 1] * scale;
      const outer = Rng.zigguratWidth[layer] * scale;
      const chordSlope = (Rng.zigguratDensity[layer] - Rng.zigguratDensity[layer - 1]) / (outer - inner);
      const chord = [Rng.zigguratDensity[layer - 1] - chordSlope * inner, chordSlope];
      const middle = (inner + outer) / 2;
      const atMiddle = Math.exp(-0.5 * middle * middle);
      const tangent = [atMiddle * (1 + middle * middle), -middle * atMiddle];
      const [below, above] = outer <= 1 ? [chord, tangent] : inner >= 1 ? [tangent, chord] : [[-1, 0], [2, 0]];
      Rng.zigguratSqueeze.set([...below, ...above], 4 * layer);
    }
  }

  /**
   * Exponential ziggurat tables (Marsaglia & Tsang 2000, 256 layers): layer thresholds on the 24-bit
   * value scale, widths, and densities exp(-x) at the layer edges.
   */
  static readonly exponentialThreshold = new Float64Array(256);
  static readonly exponentialWidth = new Float64Array(256);
  static readonly exponentialDensity = new Float64Array(256);
  static {
    const scale = 16777216;
    const tailStart = 7.69711747013104972;
    const layerArea = 3.949659822581572e-3;
    let edge = tailStart;
    let previousEdge = tailStart;
    const q = layerArea / Math.exp(-edge);
    Rng.exponentialThreshold[0] = (edge / q) * scale;
    Rng.exponentialThreshold[1] = 0;
    Rng.exponentialWidth[0] = q / scale;
    Rng.exponentialWidth[255] = edge / scale;
    Rng.exponentialDensity[0] = 1;
    Rng.exponentialDensity[255] = Math.exp(-edge);
    for (let layer = 254; layer >= 1; layer--) {
      edge = -Math.log(layerArea / edge + Math.exp(-edge));
      Rng.exponentialThreshold[layer + 1] = (edge / previousEdge) * scale;
      previousEdge = edge;
      Rng.exponentialDensity[layer] = Math.exp(-edge);
      Rng.exponentialWidth[layer] = edge / scale;
    }
  }

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
    // Stored as int32, the type every later operation works in (xor and shifts read them as int32 anyway).
    this.s0 = next() | 0;
    this.s1 = next() | 0;
    this.s2 = next() | 0;
    this.s3 = next() | 1;
  }

  /** An independent copy at this point of the stream: it draws what this generator would draw next. */
  clone(): Rng {
    const copy = new Rng(0);
    copy.s0 = this.s0;
    copy.s1 = this.s1;
    copy.s2 = this.s2;
    copy.s3 = this.s3;
    return copy;
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

  /** Standard normal N(0, 1), 24-bit resolution. */
  nextNormal(): number {
    const bits = this.nextUint32() | 0;
    const value = bits >> 7; // signed, in [-2^24, 2^24)
    const layer = bits & 127;
    // Inside the layer's rectangle (about 99% of draws): accept at once.
    if (Math.abs(value) < Rng.zigguratThreshold[layer]) return value * Rng.zigguratWidth[layer];
    return this.normalAfterRejection(bits);
  }

  /**
   * The rest of `nextNormal` after its first 32-bit draw `bits` missed the layer's rectangle: the
   * tail or wedge test, then further draws until one is accepted. `nextNormal` and the generated loops
   * (which inline the rectangle test) both end here, so they consume the same stream.
   */
  normalAfterRejection(bits: number): number {
    for (;;) {
      const layer = bits & 127;
      const value = bits >> 7;
      const x = value * Rng.zigguratWidth[layer];
      if (Math.abs(value) < Rng.zigguratThreshold[layer]) return x;
      if (layer === 0) {
        // The tail beyond r = 3.4426..., by Marsaglia's exponential rejection.
        let tail: number;
        let y: number;
        do {
          tail = -Math.log(this.nextUniform()) / 3.442619855899;
          y = -Math.log(this.nextUniform());
        } while (y + y < tail * tail);
        return value > 0 ? 3.442619855899 + tail : -3.442619855899 - tail;
      }
      // The wedge: accept when y < exp(-x^2/2). The squeeze lines decide most draws without exp; their
      // margin (1e-12, relative) is far above the rounding of the lines and of Math.exp (about 1e-15),
      // so every decision is the one exp would make and the stream does not change.
      const density = Rng.zigguratDensity[layer];
      const y = density + this.nextUniform() * (Rng.zigguratDensity[layer - 1] - density);
      const t = Math.abs(x);
      const squeeze = Rng.zigguratSqueeze;
      if (y < (squeeze[4 * layer] + squeeze[4 * layer + 1] * t) * (1 - 1e-12)) return x;
      if (!(y > (squeeze[4 * layer + 2] + squeeze[4 * layer + 3] * t) * (1 + 1e-12)) && y < Math.exp(-0.5 * x * x)) return x;
      bits = this.nextUint32() | 0;
    }
  }

  /**
   * Standard exponential Exp(1) by the ziggurat: the layer from the low 8 bits of one draw, the value
   * from the other 24, taken at the middle of its cell (v + 0.5), so that it is never 0: E lies in
   * (0, ∞) and is finite. About 98.9 % of draws are accepted by the rectangle test alone.
   */
  nextExponential(): number {
    const bits = this.nextUint32();
    const value = (bits >>> 8) + 0.5;
    const layer = bits & 255;
    if (value < Rng.exponentialThreshold[layer]) return value * Rng.exponentialWidth[layer];
    return this.exponentialAfterRejection(bits | 0);
  }

  /**
   * The rest of `nextExponential` after its first draw `bits` (int32) missed the layer's rectangle:
   * the tail (beyond the last edge r, r + Exp(1) by memorylessness) or the wedge test under exp(-x),
   * then further draws until one is accepted. The generated loops inline the rectangle test and end
   * here too, so they consume the same stream.
   */
  exponentialAfterRejection(bits: number): number {
    for (;;) {
      const value = (bits >>> 8) + 0.5;
      const layer = bits & 255;
      const x = value * Rng.exponentialWidth[layer];
      if (value < Rng.exponentialThreshold[layer]) return x;
      if (layer === 0) return 7.69711747013104972 - Math.log(this.nextUniform());
      const density = Rng.exponentialDensity[layer];
      if (density + this.nextUniform() * (Rng.exponentialDensity[layer - 1] - density) < Math.exp(-x)) return x;
      bits = this.nextUint32() | 0;
    }
  }

  /** Fills target[0..count) with standard exponentials, as `count` nextExponential calls would. */
  fillExponential(target: Float64Array | Float32Array, count: number): void {
    for (let index = 0; index < count; index++) target[index] = this.nextExponential();
  }

  /** Fills target[0..count) with uniforms: the same numbers, in the same order, as `count` nextUniform calls. */
  fillUniform(target: Float64Array | Float32Array, count: number): void {
    // The state in int32 locals: the loop then runs on registers only. fillNormalRun repeats the step
    // on purpose: one loop serving both kinds drew uniforms 1.3–1.6x slower (measured).
    let s0 = this.s0 | 0;
    let s1 = this.s1 | 0;
    let s2 = this.s2 | 0;
    let s3 = this.s3 | 0;
    for (let index = 0; index < count; index++) {
      const scrambled = Math.imul(s1, 5);
      const result = Math.imul((scrambled << 7) | (scrambled >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      target[index] = ((result >>> 9) + 0.5) * 1.1920928955078125e-7;
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  /** Fills target[0..count) with standard normals, as `count` nextNormal calls would. */
  fillNormal(target: Float64Array | Float32Array, count: number): void {
    for (let index = 0; index < count; ) index = this.fillNormalRun(target, index, count);
  }

  /**
   * Fills target[start..) with normals until one draw misses its layer's rectangle (about 1 in 36),
   * finishes that draw through `normalAfterRejection` and returns the next index (or `count`). The
   * rare path leaves the loop instead of sitting inside it, so the loop keeps the state in registers.
   */
  private fillNormalRun(target: Float64Array | Float32Array, start: number, count: number): number {
    const threshold = Rng.zigguratThreshold;
    const width = Rng.zigguratWidth;
    let s0 = this.s0 | 0;
    let s1 = this.s1 | 0;
    let s2 = this.s2 | 0;
    let s3 = this.s3 | 0;
    let index = start;
    let rejected = 0;
    for (; index < count; index++) {
      const scrambled = Math.imul(s1, 5);
      const bits = Math.imul((scrambled << 7) | (scrambled >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      const value = bits >> 7;
      const layer = bits & 127;
      if (!(Math.abs(value) < threshold[layer])) {
        rejected = bits;
        break;
      }
      target[index] = value * width[layer];
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
    if (index === count) return count;
    target[index] = this.normalAfterRejection(rejected);
    return index + 1;
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
