import type { Rng } from '../core/rng.js';
import type { LatentFamily } from './vae/latent-family.js';

/** A Monte Carlo gradient with the standard error of each entry. */
export interface MonteCarloGradient {
  readonly gradient: Float64Array;
  readonly stdErr: Float64Array;
  readonly samples: number;
}

/**
 * L of every h row of one example. The rows come in `samples` blocks of `localExpectationRows(family)`
 * rows: a block's first row is a sample h ~ q, row 1 + unit·(classes − 1) + j that sample with unit
 * `unit` set to the j-th of its other states (see `changedUnitOfRow`).
 */
export type ExampleRowObjective = (example: number, h: Float64Array, samples: number) => Promise<Float64Array>;

/** Rows of one sample's block: the sample itself, then each other state of each unit. */
export function localExpectationRows(latents: LatentFamily): number {
  return 1 + latents.units * (latents.classes - 1);
}

/** The unit whose state row `rowInBlock` of a block changes, or −1 for the block's own sample (row 0). */
export function changedUnitOfRow(latents: LatentFamily, rowInBlock: number): number {
  return rowInBlock === 0 ? -1 : Math.floor((rowInBlock - 1) / (latents.classes - 1));
}

/**
 * One sample's block of rows at `h[base…]`: the sample drawn from `probabilities` with `uniforms` (one
 * per unit), then that sample with each unit set to each of its other states (see `changedUnitOfRow`).
 */
export function fillLocalExpectationBlock(latents: LatentFamily, probabilities: ArrayLike<number>, uniforms: ArrayLike<number>, h: Float64Array, base: number): void {
  const { width, units, classes } = latents;
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

/** Samples of one example evaluated together: bounds the rows of one objective call. */
const samplesPerPass = 8;

/**
 * The gradient of each example's E_q[L] with respect to its logits a (rows of `logits`), by the local
 * expectation gradient (Titsias & Lázaro-Gredilla 2015), for an L that depends on a only through h:
 *   ∂E_q[L]/∂a_i = E_{h₋ᵢ ~ q}[ ∂/∂a_i Σ_s q(hᵢ = s | a) L(hᵢ = s, h₋ᵢ) ],
 * an unbiased estimator with far less variance than the estimators it scores. (A VAE's L also depends
 * on a explicitly, through log q(h | a); that term's mean under q is zero, so the same formula holds.)
 * Each sample draws a full h ~ q (one uniform per unit from `rng`) and evaluates L at every state of
 * every unit with the rest held (`localExpectationRows` rows), through `objective`: no estimator from
 * the registry and no backend. The mean over `samples` draws per example is the reference; the
 * standard error of each entry is the sample standard deviation over √samples.
 */
export async function localExpectationGradient(
  latents: LatentFamily, logits: Float64Array, samples: number, rng: Rng, objective: ExampleRowObjective,
): Promise<MonteCarloGradient> {
  const { width, units, classes } = latents;
  const examples = logits.length / width;
  const rowsPerSample = localExpectationRows(latents);
  const mean = new Float64Array(examples * width);
  const sumOfSquares = new Float64Array(examples * width);
  const probabilities = new Float64Array(width);
  const uniforms = new Float64Array(units);
  const estimate = new Float64Array(width);
  const stateValues = new Float64Array(classes);
  for (let example = 0; example < examples; example++) {
    latents.probabilities(logits, example * width, probabilities, 0);
    for (let drawn = 0; drawn < samples; drawn += samplesPerPass) {
      const passSamples = Math.min(samplesPerPass, samples - drawn);
      const h = new Float64Array(passSamples * rowsPerSample * width);
      for (let sample = 0; sample < passSamples; sample++) {
        rng.fillUniform(uniforms, units);
        fillLocalExpectationBlock(latents, probabilities, uniforms, h, sample * rowsPerSample * width);
      }
      const value = await objective(example, h, passSamples);
      for (let sample = 0; sample < passSamples; sample++) {
        const base = sample * rowsPerSample;
        let row = 1;
        for (let unit = 0; unit < units; unit++) {
          const own = latents.stateOf(h, base * width, unit);
          for (let state = 0; state < classes; state++) stateValues[state] = state === own ? value[base] : value[base + row++];
          latents.writeExpectationGradient(probabilities, 0, unit, stateValues, estimate, 0);
        }
        addToRunningMoments(mean, sumOfSquares, example * width, estimate, drawn + sample + 1);
      }
    }
  }
  return monteCarloGradient(mean, sumOfSquares, samples);
}

/**
 * Welford's update of the per-entry running `mean` and sum of squared deviations at `offset` with the
 * `count`-th draw `estimate`.
 */
export function addToRunningMoments(mean: Float64Array, sumOfSquares: Float64Array, offset: number, estimate: Float64Array, count: number): void {
  for (let element = 0; element < estimate.length; element++) {
    const index = offset + element;
    const delta = estimate[element] - mean[index];
    mean[index] += delta / count;
    sumOfSquares[index] += delta * (estimate[element] - mean[index]);
  }
}

/** The Monte Carlo gradient of `samples` draws from their running moments: each standard error is the sample standard deviation over √samples. */
export function monteCarloGradient(mean: Float64Array, sumOfSquares: Float64Array, samples: number): MonteCarloGradient {
  const stdErr = sumOfSquares.map((total) => (samples > 1 ? Math.sqrt(total / (samples - 1) / samples) : Number.POSITIVE_INFINITY));
  return { gradient: mean, stdErr, samples };
}
