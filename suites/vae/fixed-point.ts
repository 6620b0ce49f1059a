import { hashSeed, Rng } from '../../core/rng.js';
import { binarise } from './binarise.js';
import type { StagedContext, TensorOps } from '../../core/suite.js';
import { mnistPixels, type MnistSet } from '../mnist-data.js';
import { kSampleBoundReference, localExpectationReference, type MonteCarloGradient } from './reference.js';
import type { VaeObjective } from './vae-objective.js';
import type { ScoringPoint } from './vae-stages.js';
import { decoderSlice, encoderSlice, type VaeModel } from './vae-model.js';
import { warmUp } from './warm-up.js';

/** Where a VAE's estimators are scored, with the Monte Carlo reference gradient there. */
export interface FixedPoint extends ScoringPoint {
  /** All parameters after warm-up. */
  readonly params: Float64Array;
  readonly reference: MonteCarloGradient;
}

/** How the fixed point is made. */
export interface FixedPointSettings {
  readonly warmupSteps: number;
  readonly batch: number;
  readonly scoreExamples: number;
  readonly referenceSamples: number;
  /** What the reference is the gradient of (see `referenceAt`). */
  readonly bound: ScoredBound;
  /** Seeds the warm-up's minibatches and noise, the scored images' binarisation and the reference's samples. */
  readonly seed: number;
}

/**
 * The images a VAE suite scores: `examples` training images spread evenly over the training set
 * (image i·⌊N / examples⌋), binarised once from `seed`.
 */
export function scoredImages(train: MnistSet, examples: number, seed: number): Float32Array {
  const stride = Math.max(1, Math.floor(train.count / examples));
  const indices = Array.from({ length: examples }, (_, index) => (index * stride) % train.count);
  return binarise(train, indices, new Rng(hashSeed(seed, 'scored-images')));
}

/** The scoring point at trained parameters `params`: the decoder's weights there and the encoder logits of `images` there. */
export async function scoringPointAt(ops: TensorOps, model: VaeModel, params: Float64Array, images: Float32Array): Promise<ScoringPoint> {
  const params32 = Float32Array.from(params);
  const encoded = await model.encoder.forward(ops, encoderSlice(model, params32), images, images.length / mnistPixels);
  return { decoderParams: decoderSlice(model, params32), images, logits: Float64Array.from(encoded.output) };
}

/** The objective whose gradient is scored: the ELBO's term, or the k-sample bound with its k. */
export interface ScoredBound {
  readonly objective: VaeObjective;
  /** Samples of the k-sample bound (the estimator's evaluations); unused for the ELBO. */
  readonly k: number;
}

/**
 * The local-expectation reference at `point`, from `samples` samples per image (for the k-sample
 * bound, `samples` groups of k samples) drawn from `seed`'s reference stream.
 */
export function referenceAt(ops: TensorOps, model: VaeModel, point: ScoringPoint, samples: number, seed: number, bound: ScoredBound): Promise<MonteCarloGradient> {
  const rng = new Rng(hashSeed(seed, 'reference'));
  return bound.objective === 'iwae' ? kSampleBoundReference(ops, model, point, bound.k, samples, rng) : localExpectationReference(ops, model, point, samples, rng);
}

/**
 * The fixed point of a VAE suite: `warmupSteps` warm-up steps from `initial` (see `warmUp`), then the
 * scored images (`scoredImages`), their encoder logits, and the local-expectation reference gradient
 * from `referenceSamples` samples per image. Everything runs on the host, on the CPU backend's tensor
 * operations with one thread (onnxruntime's MLAS kernels, or JavaScript loops where it cannot load),
 * from streams seeded by `seed` alone: every cell, whatever its estimator or backend, is scored at the
 * same point against the same reference, and a run on the same machine reproduces it bit for bit.
 */
export async function computeFixedPoint(
  createHostOps: StagedContext['createHostOps'], model: VaeModel, train: MnistSet, initial: Float64Array, settings: FixedPointSettings,
): Promise<FixedPoint> {
  const ops = createHostOps(1);
  try {
    const params = await warmUp(ops, model, train, initial, settings.warmupSteps, settings.batch, new Rng(hashSeed(settings.seed, 'warm-up')));
    const point = await scoringPointAt(ops, model, params, scoredImages(train, settings.scoreExamples, settings.seed));
    const reference = await referenceAt(ops, model, point, settings.referenceSamples, settings.seed, settings.bound);
    return { ...point, params, reference };
  } finally {
    await ops.dispose();
  }
}
