import { averagedDrawRows, averageOverDraws, type Float32Stages, type NodeResults, type SingleNodeStages } from '../../models/single-node.js';
import type { Rng } from '../../core/rng.js';
import type { TensorOps } from '../../core/suite.js';
import { passRows, passRowsAt, type MlpPass } from './mlp.js';
import { binarise } from './binarise.js';
import { mnistPixels, type MnistSet } from '../mnist-data.js';
import { addPathwiseTerm, decodeObjective, evaluationWeights, type DecodedObjective, type VaeObjective } from './vae-objective.js';
import { decoderSlice, encoderSlice, type VaeModel } from './vae-model.js';

/** What a training batch keeps between its stages. */
interface TrainingPass {
  readonly params: Float32Array;
  readonly images: Float32Array;
  readonly encoderPass: MlpPass;
  readonly logits: Float64Array;
  decoded: DecodedObjective | null;
}

/** Draws `rows` training images uniformly with replacement and binarises them afresh, both from `rng`. */
export function drawMinibatch(train: MnistSet, rows: number, rng: Rng): Float32Array {
  const indices = new Uint32Array(rows);
  for (let row = 0; row < rows; row++) indices[row] = Math.floor(rng.nextUniform() * train.count);
  return binarise(train, indices, rng);
}

/**
 * The training stages of a VAE: one estimate is the gradient of the minibatch mean of L = −ELBO term
 * with respect to every parameter, from `batch` fresh training images. The encoder's logits go through
 * the cell's hard node; the estimator's dL/da plus the explicit ∂L/∂a (see `addPathwiseTerm`) is
 * chained to the encoder's weights; the decoder's gradient is exact given h, averaged over the
 * estimator's evaluations. Under `objective` 'iwae' the loss is the minibatch mean of the negative
 * k-sample bound of each image over the estimator's k evaluations, and both the explicit term and the
 * decoder's gradient weigh each evaluation by its normalised importance weight (`evaluationWeights`).
 * `pixelLossOnBackend` lets the per-pixel objective run on the backend's float32 kernels (a cell's
 * training steps; see DecodeOptions); the warm-up to the scoring point keeps float64.
 */
export function trainingStages(
  ops: TensorOps, model: VaeModel, train: MnistSet, batch: number, objective: VaeObjective = 'elbo', options: { pixelLossOnBackend?: boolean } = {},
): Float32Stages<TrainingPass> {
  const width = model.latents.width;
  // The float32 parameters, refilled at every upstream pass from float64 ones: the passes of one call
  // (a baseline's pilot and the estimates) share the call's parameters, and nothing keeps them past the call.
  const params32 = new Float32Array(model.parameterCount);
  // Every dense layer writes all of its slice (dL/dW, then dL/db) at every backward pass: the
  // gradients are kept across calls and copied out into each call's fresh estimates.
  const encoderGradient = new Float32Array(model.encoder.parameterCount);
  const decoderGradient = new Float32Array(model.decoder.parameterCount);
  /** Estimate `estimate`'s gradient of the encoder and of the decoder, written into the two arrays given. */
  const estimateGradient = async (
    pass: TrainingPass, dLogits: Float64Array, node: NodeResults, weights: Float64Array | null, estimate: number,
    encoderOut: Float32Array, decoderOut: Float32Array,
  ) => {
    const decoded = pass.decoded!;
    // The loss is the minibatch mean; the decoder's gradient also averages over the estimate's draws.
    const logitGradient = new Float32Array(batch * width);
    const logitBase = estimate * batch * width;
    for (let index = 0; index < logitGradient.length; index++) logitGradient[index] = dLogits[logitBase + index] / batch;
    const hRows = batch * node.evaluations;
    let decoderPass = passRows(decoded.decoderPass, estimate * hRows, hRows);
    const estimatePixels = decoded.pixelGradient.subarray(estimate * hRows * mnistPixels, (estimate + 1) * hRows * mnistPixels);
    let pixelGradient: Float32Array;
    if (weights) {
      pixelGradient = estimatePixels.slice();
      for (let row = 0; row < hRows; row++) {
        const scale = weights[estimate * hRows + row] / batch;
        for (let pixel = row * mnistPixels; pixel < (row + 1) * mnistPixels; pixel++) pixelGradient[pixel] *= scale;
      }
    } else if (node.sampleEvaluations < node.evaluations) {
      // The auxiliary points (REBAR's relaxed rows) weigh 0: the decoder's weight products run over the
      // draws' rows alone (a third of REBAR's rows), as the PyTorch peer's autograd, which holds the weights there.
      const draws = averagedDrawRows(estimatePixels, hRows, mnistPixels, node);
      decoderPass = passRowsAt(decoderPass, draws.rows);
      pixelGradient = draws.values;
    } else {
      pixelGradient = estimatePixels.slice();
      averageOverDraws(pixelGradient, hRows, mnistPixels, node);
    }
    await model.encoder.backward(ops, encoderSlice(model, pass.params), passRows(pass.encoderPass, estimate * batch, batch), logitGradient, encoderOut, false);
    await model.decoder.backward(ops, decoderSlice(model, pass.params), decoderPass, pixelGradient, decoderOut, false);
  };
  /** The importance weights of the evaluations (null under the ELBO), after adding the explicit ∂L/∂a to dL/dlogits. */
  const weighAndAddPathwise = (pass: TrainingPass, dLogits: Float64Array, node: NodeResults) => {
    const weights = evaluationWeights(objective, pass.decoded!.value, node.evaluations);
    addPathwiseTerm(model, node, pass.logits, dLogits, weights);
    return weights;
  };
  return {
    rowsPerEstimate: batch,
    async upstream(params, count, rng) {
      // Float32 training hands its own float32 parameters: they are used as they are.
      const current = params instanceof Float32Array ? params : (params32.set(params), params32);
      const images = drawMinibatch(train, count * batch, rng);
      const encoderPass = await model.encoder.forward(ops, encoderSlice(model, current), images, count * batch);
      // The typed-array constructor converts natively (Float64Array.from goes through the iterator, about twice as slow).
      const logits = new Float64Array(encoderPass.output);
      return { pass: { params: current, images, encoderPass, logits, decoded: null }, logits };
    },
    async objective(pass, h, evaluations, wantGradient) {
      pass.decoded = await decodeObjective(ops, model, decoderSlice(model, pass.params), { h, evaluations, images: pass.images, logits: pass.logits }, wantGradient, options);
      return pass.decoded;
    },
    async backward(pass, params, dLogits, node) {
      const weights = weighAndAddPathwise(pass, dLogits, node);
      const count = dLogits.length / (batch * width);
      const gradients = new Float64Array(count * params.length);
      for (let estimate = 0; estimate < count; estimate++) {
        await estimateGradient(pass, dLogits, node, weights, estimate, encoderGradient, decoderGradient);
        const out = gradients.subarray(estimate * params.length, (estimate + 1) * params.length);
        out.set(encoderGradient);
        out.set(decoderGradient, model.encoder.parameterCount);
      }
      return gradients;
    },
    async backwardInto(pass, _params, dLogits, node, into) {
      const weights = weighAndAddPathwise(pass, dLogits, node);
      const encoderCount = model.encoder.parameterCount;
      await estimateGradient(pass, dLogits, node, weights, 0, into.subarray(0, encoderCount), into.subarray(encoderCount, encoderCount + model.decoder.parameterCount));
    },
  };
}

/** What a scoring batch keeps between its stages. */
interface ScoringPass {
  readonly logits: Float64Array;
  decoded: DecodedObjective | null;
}

/** The fixed point at which gradients are scored: decoder weights, examples and their encoder logits. */
export interface ScoringPoint {
  readonly decoderParams: Float32Array;
  /** Binary images of the scored examples, [examples × 784]. */
  readonly images: Float32Array;
  /** Their encoder logits at the warm-up parameters, [examples × width]. */
  readonly logits: Float64Array;
}

/**
 * The scoring stages: every estimate is the gradient of each scored example's L with respect to its
 * own encoder logits (the estimator's dL/da plus the explicit ∂L/∂a), [examples × width] per
 * estimate (of the k-sample bound's under `objective` 'iwae'); the parameters are those of the fixed
 * point, whatever the cell is handed.
 */
export function scoringStages(ops: TensorOps, model: VaeModel, point: ScoringPoint, objective: VaeObjective = 'elbo'): SingleNodeStages<ScoringPass> {
  const examples = point.logits.length / model.latents.width;
  return {
    rowsPerEstimate: examples,
    async upstream(_params, count) {
      const logits = new Float64Array(count * point.logits.length);
      for (let estimate = 0; estimate < count; estimate++) logits.set(point.logits, estimate * point.logits.length);
      return { pass: { logits, decoded: null }, logits };
    },
    async objective(pass, h, evaluations, wantGradient) {
      pass.decoded = await decodeObjective(ops, model, point.decoderParams, { h, evaluations, images: point.images, logits: pass.logits }, wantGradient);
      return pass.decoded;
    },
    async backward(pass, _params, dLogits, node) {
      addPathwiseTerm(model, node, pass.logits, dLogits, evaluationWeights(objective, pass.decoded!.value, node.evaluations));
      return dLogits;
    },
  };
}
