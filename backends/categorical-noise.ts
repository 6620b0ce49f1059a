import { fillNoise } from './noise.js';

/**
 * Fills `target` ([rows × width]) with standard exponential draws E = −log u from the call's noise
 * chunks (`seeds`, as `chunkSeeds` gives them), u drawn as every backend draws its uniforms. Both
 * categorical nodes take their noise from here, so CPU and GPU see the same draws (the GPU's rounded
 * to float32).
 */
export function fillExponentials(seeds: Uint32Array, rows: number, width: number, target: Float32Array | Float64Array): void {
  fillNoise(['uniform'], seeds, rows, width, target, null);
  // u is in (0, 1) (24-bit resolution, never 0 or 1, exact in float32): E is finite and positive.
  for (let index = 0; index < rows * width; index++) target[index] = -Math.log(target[index]);
}
