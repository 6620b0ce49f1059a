import { activation } from '../models/activation.js';
import { dense } from '../models/dense.js';
import { SequentialNetwork } from '../models/network.js';
import { vectorQuantizerLayer, type VectorQuantizerPass, type VectorQuantizerShape } from '../models/vector-quantizer.js';
import { mnistPixels } from './mnist-data.js';

/** Layer index of the vector-quantized node in `vqAutoencoder`'s networks. */
export const quantizerLayerIndex = 3;

/**
 * The autoencoder: encoder 784 → hidden (ReLU) → vectors · d latents, the vector-quantized node,
 * decoder vectors · d → hidden (ReLU) → 784 pixel logits. `training` runs the node with the cell's
 * estimator; `evaluation` (the same parameter layout) with the nearest code.
 */
export function vqAutoencoder(hidden: number, shape: VectorQuantizerShape): { training: SequentialNetwork; evaluation: SequentialNetwork } {
  const latentWidth = shape.vectors * shape.width;
  const build = (mode: 'estimator' | 'nearest') => new SequentialNetwork([
    dense(mnistPixels, hidden), activation('relu', hidden), dense(hidden, latentWidth),
    vectorQuantizerLayer(shape, mode),
    dense(latentWidth, hidden), activation('relu', hidden), dense(hidden, mnistPixels),
  ]);
  return { training: build('estimator'), evaluation: build('nearest') };
}

/** The node's pass inside a network pass. */
export function quantizerPass(passes: readonly { saved: unknown }[]): VectorQuantizerPass {
  return passes[quantizerLayerIndex].saved as VectorQuantizerPass;
}

/**
 * Binary cross-entropy of pixel logits z against grey pixels x in [0, 1], summed over the 784 pixels and
 * averaged over rows: Σ softplus(z) − x z per image (the Bernoulli decoder of the project's VAEs, read
 * with grey targets), and its gradient (σ(z) − x)/rows when asked for.
 */
export function pixelCrossEntropy(logits: Float32Array, pixels: Float32Array, rows: number, wantGradient: boolean): { loss: number; gradient: Float32Array | null } {
  const gradient = wantGradient ? new Float32Array(logits.length) : null;
  let total = 0;
  for (let index = 0; index < logits.length; index++) {
    const z = logits[index];
    total += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - pixels[index] * z;
    if (gradient) gradient[index] = (1 / (1 + Math.exp(-z)) - pixels[index]) / rows;
  }
  return { loss: total / rows, gradient };
}

/**
 * Codebook usage from the codes chosen for a set of latent vectors: the perplexity exp(−Σ p_k log p_k)
 * of the code frequencies p_k (K when every code is used equally, 1 when one code takes all) and the
 * fraction of dead codes (never chosen).
 */
export function codebookUsage(counts: ArrayLike<number>): { perplexity: number; deadCodeFraction: number } {
  const total = Array.from(counts).reduce((sum, count) => sum + count, 0);
  let entropy = 0;
  let dead = 0;
  for (let code = 0; code < counts.length; code++) {
    if (counts[code] === 0) dead++;
    else entropy -= (counts[code] / total) * Math.log(counts[code] / total);
  }
  return { perplexity: Math.exp(entropy), deadCodeFraction: dead / counts.length };
}
