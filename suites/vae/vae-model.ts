import type { Rng } from '../../core/rng.js';
import type { LatentFamily } from './latent-family.js';
import { Mlp, type HiddenActivation } from './mlp.js';
import { mnistPixels } from '../mnist-data.js';

/**
 * A VAE's architecture: an encoder MLP from the 784 pixels to the latent logits a, a decoder MLP from
 * the latent code h to 784 pixel logits z (Bernoulli likelihood, p(x_j = 1 | h) = σ(z_j)), mirrored
 * hidden widths, and the latent family (q and the uniform prior). The trained parameters are one flat
 * vector: the encoder's, then the decoder's.
 */
export interface VaeModel {
  readonly latents: LatentFamily;
  readonly encoder: Mlp;
  readonly decoder: Mlp;
  readonly parameterCount: number;
}

/** The model with `hiddenWidths` between the pixels and the latent logits (mirrored in the decoder). */
export function vaeModel(latents: LatentFamily, hiddenWidths: readonly number[], hidden: HiddenActivation): VaeModel {
  const encoder = new Mlp([mnistPixels, ...hiddenWidths, latents.width], hidden);
  const decoder = new Mlp([latents.width, ...[...hiddenWidths].reverse(), mnistPixels], hidden);
  return { latents, encoder, decoder, parameterCount: encoder.parameterCount + decoder.parameterCount };
}

/** The encoder's slice of a flat parameter (or gradient) vector. */
export function encoderSlice<T extends Float32Array | Float64Array>(model: VaeModel, params: T): T {
  return params.subarray(0, model.encoder.parameterCount) as T;
}

/** The decoder's slice of a flat parameter (or gradient) vector. */
export function decoderSlice<T extends Float32Array | Float64Array>(model: VaeModel, params: T): T {
  return params.subarray(model.encoder.parameterCount) as T;
}

/** Initial parameters: the encoder's, then the decoder's, drawn from `rng` as PyTorch's nn.Linear. */
export function initialVaeParameters(model: VaeModel, rng: Rng): Float64Array {
  const params = new Float64Array(model.parameterCount);
  model.encoder.initialise(encoderSlice(model, params), rng);
  model.decoder.initialise(decoderSlice(model, params), rng);
  return params;
}
