import { noiseChunkSamples, Rng } from '../core/rng.js';

/**
 * Fills `target` ([rows × width]) with standard exponential draws (`Rng.nextExponential`, the
 * ziggurat) from the call's noise chunks (`seeds`, as `chunkSeeds` gives them): chunk c holds rows
 * [c · noiseChunkSamples, (c + 1) · noiseChunkSamples), drawn row by row. Every categorical node takes
 * its noise from this stream (the CPU's generated loops draw it inline), so CPU and GPU see the same
 * draws (the GPU's rounded to float32).
 */
export function fillExponentials(seeds: Uint32Array, rows: number, width: number, target: Float32Array | Float64Array): void {
  for (let chunk = 0; chunk < seeds.length; chunk++) {
    const start = chunk * noiseChunkSamples * width;
    const end = Math.min(rows, (chunk + 1) * noiseChunkSamples) * width;
    new Rng(seeds[chunk]).fillExponential(target.subarray(start, end), end - start);
  }
}
