import type { TensorOps } from '../../core/suite.js';
import type { MlpPass } from './mlp.js';
import { mnistPixels } from '../mnist-data.js';
import type { VaeModel } from './vae-model.js';
import { sampleWeight, type NodeResults } from '../../models/single-node.js';

/** The objective of every h row of a batch, and what its decoder pass keeps for the backward pass. */
export interface DecodedObjective {
  /** L of every h row: the negative of the single-sample ELBO term f (see `decodeObjective`). */
  readonly value: Float64Array;
  /** dL/dh of every h row ([rows × width]), when asked for. */
  readonly gradient: Float64Array | null;
  /** The decoder's pass over the h rows. */
  readonly decoderPass: MlpPass;
  /** ∂L/∂z = σ(z) − x for every h row and pixel ([rows × 784]): what the decoder's weights backpropagate. */
  readonly pixelGradient: Float32Array;
}

/** The h rows, their examples and the examples' encoder logits. */
export interface LatentBatch {
  /** h of every (example row, evaluation), [rows · evaluations × width], row = example row · evaluations + evaluation. */
  readonly h: Float64Array;
  readonly evaluations: number;
  /** Binary images; h row r is scored against image ⌊r / evaluations⌋ mod (images.length / 784). */
  readonly images: Float32Array;
  /** Encoder logits a of every example row ([rows × width]); h row r belongs to logit row ⌊r / evaluations⌋. */
  readonly logits: Float64Array;
}

/** How `decodeObjective` computes. */
export interface DecodeOptions {
  /** h·W of the decoder's first layer, when the caller computed it (see `Mlp.forward`). */
  readonly decoderFirstProduct?: Float32Array;
  /**
   * Whether −log p(x | h) and σ(z) − x may run on the tensor operations' `bernoulliLogitLoss` (float32
   * terms, vectorised) instead of the float64 loop here: training steps say yes, the reference and the
   * scored estimates keep the float64 loop.
   */
  readonly pixelLossOnBackend?: boolean;
}

/**
 * −log p(x | h) = Σ_j softplus(z_j) − x_j z_j of every h row and ∂/∂z = σ(z) − x, on the tensor
 * operations' `bernoulliLogitLoss` when `onBackend` and they have it, else in float64 here. h row r is
 * scored against image ⌊r / evaluations⌋ mod (images.length / 784).
 */
async function pixelLoss(
  ops: TensorOps, z: Float32Array, batch: LatentBatch, rows: number, onBackend: boolean,
): Promise<{ negativeLogLikelihood: Float64Array; pixelGradient: Float32Array }> {
  const { evaluations, images } = batch;
  const imageCount = images.length / mnistPixels;
  const imageBaseOf = (row: number) => (Math.floor(row / evaluations) % imageCount) * mnistPixels;
  if (onBackend && ops.bernoulliLogitLoss) {
    let targets = images;
    if (evaluations !== 1 || imageCount !== rows) {
      targets = new Float32Array(rows * mnistPixels);
      for (let row = 0; row < rows; row++) targets.set(images.subarray(imageBaseOf(row), imageBaseOf(row) + mnistPixels), row * mnistPixels);
    }
    const found = await ops.bernoulliLogitLoss(z, targets, rows, mnistPixels);
    if (found) return { negativeLogLikelihood: found.negativeLogLikelihood, pixelGradient: found.logitGradient };
  }
  const negativeLogLikelihood = new Float64Array(rows);
  const pixelGradient = new Float32Array(rows * mnistPixels);
  for (let row = 0; row < rows; row++) {
    const imageBase = imageBaseOf(row);
    const base = row * mnistPixels;
    let total = 0;
    for (let pixel = 0; pixel < mnistPixels; pixel++) {
      const logit = z[base + pixel];
      const x = images[imageBase + pixel];
      // softplus(z) and σ(z) from one exponential of −|z|, stable for large |z|.
      const decay = Math.exp(-Math.abs(logit));
      total += (logit > 0 ? logit : 0) + Math.log1p(decay) - x * logit;
      pixelGradient[base + pixel] = (logit >= 0 ? 1 / (1 + decay) : decay / (1 + decay)) - x;
    }
    negativeLogLikelihood[row] = total;
  }
  return { negativeLogLikelihood, pixelGradient };
}

/**
 * The VAE objective of every h row, the negative single-sample ELBO term
 *   L(h; a) = −log p(x | h) − log p(h) + log q(h | a),
 * with −log p(x | h) = Σ_j softplus(z_j) − x_j z_j for the decoder's pixel logits z = decoder(h). Its
 * derivatives: ∂L/∂z = σ(z) − x (always: the decoder's exact gradient needs it), and, when
 * `wantGradient`, dL/dh = (σ(z) − x) backpropagated through the decoder + ∂log q(h | a)/∂h (the
 * uniform prior's log p(h) does not depend on h). See `DecodeOptions` for `options`. The explicit
 * dependence of L on a (∂L/∂a at fixed h = ∂log q(h | a)/∂a) is not here: the callers add it to the
 * estimator's dL/da.
 */
export async function decodeObjective(
  ops: TensorOps, model: VaeModel, decoderParams: Float32Array, batch: LatentBatch, wantGradient: boolean, options: DecodeOptions = {},
): Promise<DecodedObjective> {
  const { latents } = model;
  const { h, evaluations, logits } = batch;
  const width = latents.width;
  const rows = h.length / width;
  const decoderPass = await model.decoder.forward(ops, decoderParams, new Float32Array(h), rows, options.decoderFirstProduct);
  const { negativeLogLikelihood, pixelGradient } = await pixelLoss(ops, decoderPass.output, batch, rows, options.pixelLossOnBackend ?? false);
  const value = new Float64Array(rows);
  // A family linear in h computes its normaliser once per example row, not once per evaluation (REBAR's three).
  const { logNormaliser } = latents;
  let normaliser = 0;
  for (let row = 0; row < rows; row++) {
    const exampleRow = Math.floor(row / evaluations);
    let logPosterior: number;
    if (logNormaliser) {
      if (row % evaluations === 0) normaliser = logNormaliser(logits, exampleRow * width);
      let linear = 0;
      for (let element = 0; element < width; element++) linear += h[row * width + element] * logits[exampleRow * width + element];
      logPosterior = linear - normaliser;
    } else {
      logPosterior = latents.logPosterior(h, row * width, logits, exampleRow * width);
    }
    value[row] = negativeLogLikelihood[row] - latents.logPrior + logPosterior;
  }
  let gradient: Float64Array | null = null;
  if (wantGradient) {
    const backpropagated = await model.decoder.backward(ops, decoderParams, decoderPass, pixelGradient, null, true);
    gradient = new Float64Array(backpropagated!);
    for (let row = 0; row < rows; row++) {
      latents.addPosteriorGradientInH(logits, Math.floor(row / evaluations) * width, 1, gradient, row * width);
    }
  }
  return { value, gradient, decoderPass, pixelGradient };
}

/** What a VAE's estimates are gradients of: the ELBO's single-sample term, or the k-sample importance-weighted bound. */
export const vaeObjectives = ['elbo', 'iwae'] as const;
export type VaeObjective = (typeof vaeObjectives)[number];

/**
 * The weight of every h row in the gradient of its example row's objective: null for the ELBO (each of
 * the evaluations weighs 1 / evaluations, the estimators' average), and for the k-sample bound
 * L_k = −log((1/k) Σ_j exp(−L_j)) (k = evaluations, L_j = −log w_j) the normalised importance weights
 * w̃_j = w_j / Σ_i w_i, since ∂L_k/∂L_j = w̃_j: the pathwise part of ∇L_k is Σ_j w̃_j ∂L_j/∂θ at fixed h.
 */
export function evaluationWeights(objective: VaeObjective, value: Float64Array, evaluations: number): Float64Array | null {
  if (objective === 'elbo') return null;
  const weights = new Float64Array(value.length);
  for (let start = 0; start < value.length; start += evaluations) {
    // exp(smallest L − L_j) ≤ 1: the weights around the largest w_j.
    let smallest = value[start];
    for (let row = start + 1; row < start + evaluations; row++) smallest = Math.min(smallest, value[row]);
    let total = 0;
    for (let row = start; row < start + evaluations; row++) total += weights[row] = Math.exp(smallest - value[row]);
    for (let row = start; row < start + evaluations; row++) weights[row] /= total;
  }
  return weights;
}

/**
 * Adds the explicit term ∂L/∂a|_h = ∂log q(h | a)/∂a, averaged over the draws among the evaluations of
 * each example row (auxiliary points, such as REBAR's relaxed values, weigh 0: see
 * `EstimatorDefinition.sampleEvaluations`), or weighted by `weights` (see `evaluationWeights`), to the
 * estimator's dL/da (in place). The
 * estimator handles L's dependence on a through h; this term is the rest of the chain rule. Under the
 * ELBO its mean under q is zero, but each estimate carries it, as the PyTorch peer's autograd does (its
 * loss contains −log q(b | a) with b detached); under the k-sample bound its mean is not zero.
 */
export function addPathwiseTerm(
  model: VaeModel, node: Pick<NodeResults, 'h' | 'evaluations' | 'sampleEvaluations'>, logits: Float64Array, dLogits: Float64Array, weights: Float64Array | null = null,
): void {
  const width = model.latents.width;
  const { h, evaluations } = node;
  const exampleRows = logits.length / width;
  for (let exampleRow = 0; exampleRow < exampleRows; exampleRow++) {
    for (let evaluation = 0; evaluation < evaluations; evaluation++) {
      const row = exampleRow * evaluations + evaluation;
      const weight = weights ? weights[row] : sampleWeight(node, evaluation);
      if (weight !== 0) model.latents.addPosteriorGradientInA(h, row * width, logits, exampleRow * width, weight, dLogits, exampleRow * width);
    }
  }
}
