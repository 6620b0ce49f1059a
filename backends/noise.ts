import type { NoiseKind } from '../core/estimator.js';
import { noiseChunkSamples, Rng } from '../core/rng.js';

/**
 * Fills the noise of one call on the host, in the layout every backend shares (see `chunkSeeds`):
 * row s of `u` (and `v`) holds sample s's `width` draws (its elements, evaluation-major when each
 * evaluation draws its own noise), in the order the CPU loops draw them.
 */
export function fillNoise(
  kinds: readonly NoiseKind[], seeds: Uint32Array, count: number, width: number, u: Float32Array | Float64Array, v: Float32Array | Float64Array | null,
): void {
  const [firstKind, secondKind] = kinds;
  const draw = (rng: Rng, kind: NoiseKind | undefined): number =>
    kind === 'uniform' ? rng.nextUniform() : kind === 'normal' ? rng.nextNormal() : 0;
  for (let chunk = 0; chunk < seeds.length; chunk++) {
    const rng = new Rng(seeds[chunk]);
    const end = Math.min(count, (chunk + 1) * noiseChunkSamples);
    if (firstKind && !secondKind) {
      // Same order as element-by-element draws: the chunk's samples are consecutive rows.
      const start = chunk * noiseChunkSamples * width;
      const rows = u.subarray(start, end * width);
      if (firstKind === 'uniform') rng.fillUniform(rows, rows.length);
      else rng.fillNormal(rows, rows.length);
      continue;
    }
    for (let sample = chunk * noiseChunkSamples; sample < end; sample++) {
      for (let element = 0; element < width; element++) {
        u[sample * width + element] = draw(rng, firstKind);
        const second = draw(rng, secondKind);
        if (v) v[sample * width + element] = second;
      }
    }
  }
}
