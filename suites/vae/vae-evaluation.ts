import type { Rng } from '../../core/rng.js';
import type { TensorOps } from '../../core/suite.js';
import { binarise } from './binarise.js';
import { mnistPixels, type MnistSet } from '../mnist-data.js';
import { decodeObjective } from './vae-objective.js';
import { decoderSlice, encoderSlice, type VaeModel } from './vae-model.js';

/** Images binarised once, with the uniforms that sample their latent codes: an evaluation that is a fixed function of the parameters. */
export interface EvaluationSet {
  readonly count: number;
  readonly images: Float32Array;
  /** One uniform per latent unit per image, [count × units]. */
  readonly latentUniforms: Float64Array;
}

/**
 * `count` images of `images` evenly spaced over the set (image ⌊i·N / count⌋; all of them when count ≥ N:
 * the sets are stored class by class, so the first images would all be zeros), binarised and given
 * latent uniforms from `rng`.
 */
export function evaluationSet(images: MnistSet, count: number, units: number, rng: Rng): EvaluationSet {
  const used = Math.min(count, images.count);
  const binary = binarise(images, Array.from({ length: used }, (_, index) => Math.floor((index * images.count) / used)), rng);
  const latentUniforms = new Float64Array(used * units);
  rng.fillUniform(latentUniforms, latentUniforms.length);
  return { count: used, images: binary, latentUniforms };
}

/** Images scored per decoder pass: bounds the memory of one evaluation. */
const evaluationChunk = 1000;

/**
 * −ELBO per image, averaged over the set: −ELBO = E_q[−log p(x | h)] + KL(q(h | x) ‖ p(h)), the KL in
 * closed form and the reconstruction term from one sample h ~ q per image (drawn with the set's fixed
 * uniforms, so the value is a deterministic function of the parameters and curves are not jagged).
 * An unbiased estimate of the set's mean −ELBO, with a sampling error far below the differences it
 * is used to show (one sample per image, a thousand images or more).
 */
export async function meanNegativeElbo(ops: TensorOps, model: VaeModel, params: Float32Array, set: EvaluationSet): Promise<number> {
  const { latents } = model;
  const width = latents.width;
  let total = 0;
  for (let start = 0; start < set.count; start += evaluationChunk) {
    const rows = Math.min(evaluationChunk, set.count - start);
    const images = set.images.subarray(start * mnistPixels, (start + rows) * mnistPixels);
    const logits = Float64Array.from((await model.encoder.forward(ops, encoderSlice(model, params), images, rows)).output);
    const probabilities = new Float64Array(logits.length);
    const h = new Float64Array(logits.length);
    for (let row = 0; row < rows; row++) {
      latents.probabilities(logits, row * width, probabilities, row * width);
      latents.sample(probabilities, row * width, set.latentUniforms, (start + row) * latents.units, h, row * width);
    }
    const decoded = await decodeObjective(ops, model, decoderSlice(model, params), { h, evaluations: 1, images, logits }, false);
    for (let row = 0; row < rows; row++) {
      // decodeObjective's L = −log p(x | h) − log p(h) + log q(h | a): take the reconstruction term back out.
      const reconstruction = decoded.value[row] + latents.logPrior - latents.logPosterior(h, row * width, logits, row * width);
      total += reconstruction + latents.klToPrior(logits, row * width);
    }
  }
  return total / set.count;
}
