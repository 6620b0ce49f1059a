import type { Rng } from '../../core/rng.js';
import { mnistPixels, type MnistSet } from '../mnist-data.js';

/**
 * Dynamic binarisation: pixel j of image i becomes 1 with probability its grey level, drawn afresh
 * from `rng` (one uniform per pixel, image by image), as in the REBAR, ARM and DisARM experiments.
 * `indices` picks the images (repeats allowed); the result is [indices.length × 784].
 */
export function binarise(set: MnistSet, indices: ArrayLike<number>, rng: Rng): Float32Array {
  const out = new Float32Array(indices.length * mnistPixels);
  const uniforms = new Float64Array(mnistPixels);
  for (let row = 0; row < indices.length; row++) {
    const source = indices[row] * mnistPixels;
    rng.fillUniform(uniforms, mnistPixels);
    const base = row * mnistPixels;
    for (let pixel = 0; pixel < mnistPixels; pixel++) out[base + pixel] = uniforms[pixel] < set.images[source + pixel] ? 1 : 0;
  }
  return out;
}
