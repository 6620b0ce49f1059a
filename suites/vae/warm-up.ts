import type { Rng } from '../../core/rng.js';
import type { TensorOps } from '../../core/suite.js';
import type { MnistSet } from '../mnist-data.js';
import { trainingStages } from './vae-stages.js';
import type { VaeModel } from './vae-model.js';

/** Adam's settings for the warm-up (PyTorch's defaults, the VAEs' learning rate). */
const adam = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/** Samples per example of the warm-up's gradient estimator (REINFORCE leave-one-out with k = 2). */
const warmUpSamples = 2;

/**
 * The warm-up's estimator of dL/da, written here on the host rather than taken from the registry, so
 * that the scoring point is the same whichever estimator and backend a cell runs: REINFORCE with the
 * other sample as baseline (leave-one-out, k = 2; Kool, van Hoof & Welling 2019), unbiased for every
 * latent family: ½ (L₀ − L₁)(∇_a log q(h₀ | a) − ∇_a log q(h₁ | a)) per example row.
 */
function leaveOneOutPair(model: VaeModel, logits: Float64Array, h: Float64Array, values: Float64Array): Float64Array {
  const width = model.latents.width;
  const dLogits = new Float64Array(logits.length);
  for (let row = 0; row < logits.length / width; row++) {
    const difference = 0.5 * (values[row * warmUpSamples] - values[row * warmUpSamples + 1]);
    model.latents.addPosteriorGradientInA(h, row * warmUpSamples * width, logits, row * width, difference, dLogits, row * width);
    model.latents.addPosteriorGradientInA(h, (row * warmUpSamples + 1) * width, logits, row * width, -difference, dLogits, row * width);
  }
  return dLogits;
}

/** Two independent hard samples h ~ q(· | a) per example row, [rows · 2 × width]. */
function samplePairs(model: VaeModel, logits: Float64Array, rng: Rng): Float64Array {
  const { latents } = model;
  const width = latents.width;
  const rows = logits.length / width;
  const probabilities = new Float64Array(width);
  const uniforms = new Float64Array(latents.units);
  const h = new Float64Array(rows * warmUpSamples * width);
  for (let row = 0; row < rows; row++) {
    latents.probabilities(logits, row * width, probabilities, 0);
    for (let sample = 0; sample < warmUpSamples; sample++) {
      rng.fillUniform(uniforms, uniforms.length);
      latents.sample(probabilities, 0, uniforms, 0, h, (row * warmUpSamples + sample) * width);
    }
  }
  return h;
}

/**
 * Trains the VAE from `initial` for `steps` Adam steps (learning rate 1e-3) on minibatches of `batch`
 * training images, with the leave-one-out pair above for the encoder and the exact decoder gradient,
 * through the same stages as the cells' training: the fixed point at which estimators are scored.
 */
export async function warmUp(
  ops: TensorOps, model: VaeModel, train: MnistSet, initial: Float64Array, steps: number, batch: number, rng: Rng,
): Promise<Float64Array> {
  const stages = trainingStages(ops, model, train, batch);
  const params = Float64Array.from(initial);
  const firstMoment = new Float64Array(params.length);
  const secondMoment = new Float64Array(params.length);
  for (let step = 1; step <= steps; step++) {
    const { pass, logits } = await stages.upstream(params, 1, rng);
    const h = samplePairs(model, logits, rng);
    const objective = await stages.objective(pass, h, warmUpSamples, false);
    const dLogits = leaveOneOutPair(model, logits, h, objective.value);
    const gradient = await stages.backward(pass, params, dLogits, { h, evaluations: warmUpSamples, sampleEvaluations: warmUpSamples, objective });
    const firstCorrection = 1 - adam.beta1 ** step;
    const secondCorrection = 1 - adam.beta2 ** step;
    for (let index = 0; index < params.length; index++) {
      firstMoment[index] = adam.beta1 * firstMoment[index] + (1 - adam.beta1) * gradient[index];
      secondMoment[index] = adam.beta2 * secondMoment[index] + (1 - adam.beta2) * gradient[index] * gradient[index];
      params[index] -= (adam.learningRate * firstMoment[index] / firstCorrection) / (Math.sqrt(secondMoment[index] / secondCorrection) + adam.epsilon);
    }
  }
  return params;
}
