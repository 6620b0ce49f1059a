import type { Rng } from '../../core/rng.js';
import type { TensorOps } from '../../core/suite.js';
import { mnistPixels } from '../mnist-data.js';
import { decodeObjective } from './vae-objective.js';
import type { ScoringPoint } from './vae-stages.js';
import type { VaeModel } from './vae-model.js';

/** A Monte Carlo gradient with the standard error of each entry. */
export interface MonteCarloGradient {
  readonly gradient: Float64Array;
  readonly stdErr: Float64Array;
  readonly samples: number;
}

/** Samples of one example decoded together: bounds the rows of one decoder pass. */
const samplesPerPass = 8;

/**
 * The reference gradient of each scored example's E_q[L] with respect to its encoder logits, by the
 * local expectation gradient (Titsias & Lázaro-Gredilla 2015), an unbiased estimator with far less
 * variance than any of the estimators it scores: for every unit i,
 *   ∂E_q[L]/∂a_i = E_{h₋ᵢ ~ q}[ ∂/∂a_i Σ_s q(hᵢ = s | a) L(hᵢ = s, h₋ᵢ; a) ],
 * which holds because the explicit term E_q[∂L/∂a] = E_q[∂log q/∂a] is zero. Each sample draws a full
 * h ~ q and evaluates L at every state of every unit with the rest held (1 + units·(classes − 1)
 * decoder rows), so it needs no estimator from the registry and no backend: it runs on the host
 * operations it is given. The mean over `samples` draws per example is the reference; the standard
 * error of each entry is the sample standard deviation over √samples.
 */
export async function localExpectationReference(ops: TensorOps, model: VaeModel, point: ScoringPoint, samples: number, rng: Rng): Promise<MonteCarloGradient> {
  const { latents } = model;
  const { width, units, classes } = latents;
  const examples = point.logits.length / width;
  const rowsPerSample = 1 + units * (classes - 1);
  const mean = new Float64Array(examples * width);
  const sumOfSquares = new Float64Array(examples * width);
  const probabilities = new Float64Array(width);
  const uniforms = new Float64Array(units);
  const estimate = new Float64Array(width);
  const stateValues = new Float64Array(classes);
  for (let example = 0; example < examples; example++) {
    const logits = point.logits.subarray(example * width, (example + 1) * width);
    const images = point.images.subarray(example * mnistPixels, (example + 1) * mnistPixels);
    latents.probabilities(logits, 0, probabilities, 0);
    for (let drawn = 0; drawn < samples; drawn += samplesPerPass) {
      const passSamples = Math.min(samplesPerPass, samples - drawn);
      // Rows of one sample: its h, then h with unit i set to each state other than its own, unit by unit.
      const h = new Float64Array(passSamples * rowsPerSample * width);
      for (let sample = 0; sample < passSamples; sample++) {
        const base = sample * rowsPerSample * width;
        rng.fillUniform(uniforms, units);
        latents.sample(probabilities, 0, uniforms, 0, h, base);
        let row = 1;
        for (let unit = 0; unit < units; unit++) {
          const own = latents.stateOf(h, base, unit);
          for (let state = 0; state < classes; state++) {
            if (state === own) continue;
            h.copyWithin(base + row * width, base, base + width);
            latents.setState(h, base + row * width, unit, state);
            row++;
          }
        }
      }
      // The decoder's first product h·W for every row: one matrix product for the samples' own h, and
      // for each modified row that product plus the few rows of W whose inputs changed (a unit's elements).
      const hRows = h.length / width;
      const weights = model.decoder.firstWeights(point.decoderParams);
      const productWidth = model.decoder.widths[1];
      const sampleRows = new Float32Array(passSamples * width);
      for (let sample = 0; sample < passSamples; sample++) sampleRows.set(h.subarray(sample * rowsPerSample * width, (sample * rowsPerSample + 1) * width), sample * width);
      const sampleProducts = await ops.matmul(sampleRows, weights, passSamples, width, productWidth);
      const firstProduct = new Float32Array(hRows * productWidth);
      const elementsPerUnit = width / units;
      for (let row = 0; row < hRows; row++) {
        const sample = Math.floor(row / rowsPerSample);
        const target = firstProduct.subarray(row * productWidth, (row + 1) * productWidth);
        target.set(sampleProducts.subarray(sample * productWidth, (sample + 1) * productWidth));
        const unit = row % rowsPerSample === 0 ? -1 : Math.floor((row % rowsPerSample - 1) / (classes - 1));
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
      for (let sample = 0; sample < passSamples; sample++) {
        const base = sample * rowsPerSample;
        let row = 1;
        for (let unit = 0; unit < units; unit++) {
          const own = latents.stateOf(h, base * width, unit);
          for (let state = 0; state < classes; state++) stateValues[state] = state === own ? value[base] : value[base + row++];
          latents.writeExpectationGradient(probabilities, 0, unit, stateValues, estimate, 0);
        }
        // Welford's update of the per-entry mean and sum of squared deviations.
        const count = drawn + sample + 1;
        for (let element = 0; element < width; element++) {
          const index = example * width + element;
          const delta = estimate[element] - mean[index];
          mean[index] += delta / count;
          sumOfSquares[index] += delta * (estimate[element] - mean[index]);
        }
      }
    }
  }
  const stdErr = sumOfSquares.map((total) => (samples > 1 ? Math.sqrt(total / (samples - 1) / samples) : Number.POSITIVE_INFINITY));
  return { gradient: mean, stdErr, samples };
}
