import { hashSeed, Rng } from '../../core/rng.js';
import { binarise } from './binarise.js';
import type { StagedContext } from '../../core/suite.js';
import type { MnistSet } from '../mnist-data.js';
import { localExpectationReference, type MonteCarloGradient } from './reference.js';
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
  /** Seeds the warm-up's minibatches and noise, the scored images' binarisation and the reference's samples. */
  readonly seed: number;
}

/**
 * The fixed point of a VAE suite: `warmupSteps` warm-up steps from `initial` (see `warmUp`), then
 * `scoreExamples` training images spread evenly over the training set (image i·⌊N / examples⌋),
 * binarised once, their encoder logits, and the local-expectation reference gradient from
 * `referenceSamples` samples per image. Everything runs on the host, on the CPU backend's tensor
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
    const stride = Math.max(1, Math.floor(train.count / settings.scoreExamples));
    const indices = Array.from({ length: settings.scoreExamples }, (_, index) => (index * stride) % train.count);
    const images = binarise(train, indices, new Rng(hashSeed(settings.seed, 'scored-images')));
    const params32 = Float32Array.from(params);
    const encoded = await model.encoder.forward(ops, encoderSlice(model, params32), images, indices.length);
    const point: ScoringPoint = { decoderParams: decoderSlice(model, params32), images, logits: Float64Array.from(encoded.output) };
    const reference = await localExpectationReference(ops, model, point, settings.referenceSamples, new Rng(hashSeed(settings.seed, 'reference')));
    return { ...point, params, reference };
  } finally {
    await ops.dispose();
  }
}
