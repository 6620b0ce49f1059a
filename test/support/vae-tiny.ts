import { Rng } from '../../core/rng.js';
import { bernoulliLatents, categoricalLatents, type LatentFamily } from '../../suites/vae/latent-family.js';
import { mnistPixels, type MnistSet } from '../../suites/mnist-data.js';
import { decodeObjective } from '../../suites/vae/vae-objective.js';
import { initialVaeParameters, vaeModel, type VaeModel } from '../../suites/vae/vae-model.js';
import { createJsTensorOps } from '../../backends/cpu-ops.js';

/** Tiny latent codes whose every state can be enumerated: 3 Bernoulli units (8 states), 2 units of 3 classes (9 states). */
export const tinyFamilies: ReadonlyArray<readonly [string, () => LatentFamily]> = [
  ['bernoulli', () => bernoulliLatents(3)],
  ['categorical', () => categoricalLatents(2, 3)],
];

/** A tiny VAE (one hidden layer of 5 units each side) over the 784 pixels, with weights drawn from `seed`. */
export function tinyVae(latents: LatentFamily, seed: number, activation: 'tanh' | 'relu' = 'tanh'): { model: VaeModel; params: Float64Array } {
  const model = vaeModel(latents, [5], activation);
  const params = initialVaeParameters(model, new Rng(seed));
  // Scale the decoder's weights up so that the latent code matters to L (PyTorch's init is small); the
  // encoder's stay small, so that q is far from deterministic and every state has a fair probability.
  for (let index = model.encoder.parameterCount; index < params.length; index++) params[index] *= 4;
  return { model, params };
}

/** `count` images of random grey levels. */
export function randomImages(count: number, seed: number): MnistSet {
  const rng = new Rng(seed);
  const images = new Float32Array(count * mnistPixels);
  for (let index = 0; index < images.length; index++) images[index] = rng.nextUniform();
  return { count, images, labels: new Uint8Array(count) };
}

/** Every hard state of a latent code (all 0/1 vectors, or all one-hot combinations), as rows. */
export function allStates(latents: LatentFamily): Float64Array[] {
  const states: Float64Array[] = [];
  const total = latents.classes ** latents.units;
  for (let code = 0; code < total; code++) {
    const h = new Float64Array(latents.width);
    let rest = code;
    for (let unit = 0; unit < latents.units; unit++) {
      latents.setState(h, 0, unit, rest % latents.classes);
      rest = Math.floor(rest / latents.classes);
    }
    states.push(h);
  }
  return states;
}

/**
 * d E_q[L] / da of one example by enumerating every state h: Σ_h q(h | a) (L(h; a) + 1) ∇_a log q(h | a),
 * the score-function identity plus the explicit term (∂L/∂a at fixed h is ∇_a log q(h | a)), with
 * q(h | a) = exp(log q) from the family. Independent of the local-expectation reference it checks.
 */
export async function enumeratedGradient(model: VaeModel, decoderParams: Float32Array, image: Float32Array, logits: Float64Array): Promise<Float64Array> {
  const states = allStates(model.latents);
  const h = new Float64Array(states.length * model.latents.width);
  states.forEach((state, index) => h.set(state, index * model.latents.width));
  const { value } = await decodeObjective(createJsTensorOps(), model, decoderParams, { h, evaluations: states.length, images: image, logits }, false);
  const gradient = new Float64Array(model.latents.width);
  states.forEach((state, index) => {
    const probability = Math.exp(model.latents.logPosterior(state, 0, logits, 0));
    model.latents.addPosteriorGradientInA(state, 0, logits, 0, probability * (value[index] + 1), gradient, 0);
  });
  return gradient;
}
