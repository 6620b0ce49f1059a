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

/**
 * d E[L_k] / da of one example for the k-sample bound L_k = −log((1/k) Σ_j exp(−L(h_j; a))) over k
 * independent h_j ~ q(· | a), by enumerating every joint state of the k samples:
 *   Σ Π_j q(h_j | a) (L_k Σ_j ∇_a log q(h_j | a) + Σ_j w̃_j ∇_a log q(h_j | a)),
 * the score-function identity plus the explicit term ∂L_k/∂a = Σ_j (∂L_k/∂L_j) ∂L_j/∂a with
 * ∂L_k/∂L_j = w̃_j = exp(−L_j) / Σ_i exp(−L_i). Written from the definition, independent of the suite's
 * weights and reference; (states)^k joint states, so tiny codes and small k only.
 */
export async function enumeratedKSampleBoundGradient(model: VaeModel, decoderParams: Float32Array, image: Float32Array, logits: Float64Array, k: number): Promise<Float64Array> {
  const { latents } = model;
  const states = allStates(latents);
  const h = new Float64Array(states.length * latents.width);
  states.forEach((state, index) => h.set(state, index * latents.width));
  const { value } = await decodeObjective(createJsTensorOps(), model, decoderParams, { h, evaluations: states.length, images: image, logits }, false);
  const scores = states.map((state) => {
    const score = new Float64Array(latents.width);
    latents.addPosteriorGradientInA(state, 0, logits, 0, 1, score, 0);
    return score;
  });
  const logQ = states.map((state) => latents.logPosterior(state, 0, logits, 0));
  const gradient = new Float64Array(latents.width);
  for (let joint = 0; joint < states.length ** k; joint++) {
    const picked = Array.from({ length: k }, (_, j) => Math.floor(joint / states.length ** j) % states.length);
    const probability = Math.exp(picked.reduce((total, state) => total + logQ[state], 0));
    // Around the smallest L of the k (exp(−L) alone underflows for 784 pixels).
    const smallest = Math.min(...picked.map((state) => value[state]));
    const exponentials = picked.map((state) => Math.exp(smallest - value[state]));
    const total = exponentials.reduce((sum, entry) => sum + entry, 0);
    const bound = smallest - Math.log(total / k);
    picked.forEach((state, j) => {
      const factor = probability * (bound + exponentials[j] / total);
      for (let element = 0; element < latents.width; element++) gradient[element] += factor * scores[state][element];
    });
  }
  return gradient;
}
