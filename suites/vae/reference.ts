import type { Rng } from '../../core/rng.js';
import type { TensorOps } from '../../core/suite.js';
import { changedUnitOfRow, localExpectationGradient, localExpectationRows, type ExampleRowObjective, type MonteCarloGradient } from '../local-expectation.js';
import { kSampleLocalExpectationGradient } from '../k-sample-local-expectation.js';
import { mnistPixels } from '../mnist-data.js';
import { decodeObjective } from './vae-objective.js';
import type { ScoringPoint } from './vae-stages.js';
import type { VaeModel } from './vae-model.js';

export type { MonteCarloGradient } from '../local-expectation.js';

/**
 * The reference gradient of each scored example's E_q[L] with respect to its encoder logits, by the
 * local expectation gradient (see `localExpectationGradient`), which holds for the VAE's L because the
 * explicit term E_q[∂L/∂a] = E_q[∂log q/∂a] is zero. It runs on the host operations it is given (see
 * `exampleRowObjective`).
 */
export function localExpectationReference(ops: TensorOps, model: VaeModel, point: ScoringPoint, samples: number, rng: Rng): Promise<MonteCarloGradient> {
  return localExpectationGradient(model.latents, point.logits, samples, rng, exampleRowObjective(ops, model, point));
}

/**
 * The reference gradient of each scored example's E[L_k] with respect to its encoder logits, for the
 * k-sample bound over k independent samples (see `kSampleLocalExpectationGradient`): `groups` groups
 * of k samples per example, each unbiased for ∇E[L_k], on the host operations it is given.
 */
export function kSampleBoundReference(ops: TensorOps, model: VaeModel, point: ScoringPoint, k: number, groups: number, rng: Rng): Promise<MonteCarloGradient> {
  const { latents } = model;
  return kSampleLocalExpectationGradient(latents, point.logits, k, groups, rng, exampleRowObjective(ops, model, point), (h, hOffset, example, weight, out) => {
    // ∂L(h; a)/∂a at fixed h is ∂log q(h | a)/∂a.
    latents.addPosteriorGradientInA(h, hOffset, point.logits, example * latents.width, weight, out, 0);
  });
}

/**
 * L of the rows of one scored example's local-expectation blocks, on `ops`: each example's rows are
 * decoded with the decoder's first product h·W computed once per sample and corrected for the one
 * unit each other row changes.
 */
export function exampleRowObjective(ops: TensorOps, model: VaeModel, point: ScoringPoint): ExampleRowObjective {
  const { latents } = model;
  const { width } = latents;
  const rowsPerSample = localExpectationRows(latents);
  const weights = model.decoder.firstWeights(point.decoderParams);
  const productWidth = model.decoder.widths[1];
  const elementsPerUnit = width / latents.units;
  return async (example, h, passSamples) => {
    const logits = point.logits.subarray(example * width, (example + 1) * width);
    const images = point.images.subarray(example * mnistPixels, (example + 1) * mnistPixels);
    // The decoder's first product h·W for every row: one matrix product for the samples' own h, and
    // for each modified row that product plus the few rows of W whose inputs changed (a unit's elements).
    const hRows = h.length / width;
    const sampleRows = new Float32Array(passSamples * width);
    for (let sample = 0; sample < passSamples; sample++) sampleRows.set(h.subarray(sample * rowsPerSample * width, (sample * rowsPerSample + 1) * width), sample * width);
    const sampleProducts = await ops.matmul(sampleRows, weights, passSamples, width, productWidth);
    const firstProduct = new Float32Array(hRows * productWidth);
    for (let row = 0; row < hRows; row++) {
      const sample = Math.floor(row / rowsPerSample);
      const target = firstProduct.subarray(row * productWidth, (row + 1) * productWidth);
      target.set(sampleProducts.subarray(sample * productWidth, (sample + 1) * productWidth));
      const unit = changedUnitOfRow(latents, row % rowsPerSample);
      if (unit < 0) continue;
      for (let element = unit * elementsPerUnit; element < (unit + 1) * elementsPerUnit; element++) {
        const change = h[row * width + element] - h[sample * rowsPerSample * width + element];
        if (change === 0) continue;
        const weightRow = element * productWidth;
        for (let column = 0; column < productWidth; column++) target[column] += change * weights[weightRow + column];
      }
    }
    // One example's logits for every row: evaluations = all rows, so every row maps to logit row 0 and image 0.
    const { value } = await decodeObjective(ops, model, point.decoderParams, { h, evaluations: hRows, images, logits }, false, { decoderFirstProduct: firstProduct });
    return value;
  };
}
