import type { Rng } from '../core/rng.js';
import type { LatentFamily } from './vae/latent-family.js';
import { addToRunningMoments, fillLocalExpectationBlock, localExpectationRows, monteCarloGradient, type ExampleRowObjective, type MonteCarloGradient } from './local-expectation.js';

/** Groups of k samples of one example evaluated together: bounds the rows of one objective call (as `localExpectationGradient`'s 8 samples). */
const samplesPerPass = 8;

/**
 * L_k = −log((1/k) Σ_i exp(−L_i)) of `values` with entry `replaced` set to `changed`, summed around the
 * smallest of the k values it uses, so that every exponential is at most 1 and none is subtracted: the
 * others' sum taken as the whole sum less entry `replaced`'s share cancels catastrophically when that
 * entry dominates (its share near 1, the others' near 1e-13 for L differences of 30 nats), which biased
 * this reference.
 */
export function boundWithOneReplaced(values: ArrayLike<number>, replaced: number, changed: number): number {
  const k = values.length;
  let smallest = changed;
  for (let i = 0; i < k; i++) if (i !== replaced) smallest = Math.min(smallest, values[i]);
  let total = Math.exp(smallest - changed);
  for (let i = 0; i < k; i++) if (i !== replaced) total += Math.exp(smallest - values[i]);
  return smallest - Math.log(total / k);
}

/**
 * The gradient of each example's E[L_k] with respect to its logits a, for the k-sample bound
 * L_k = −log((1/k) Σ_j exp(−L(h_j; a))) over k independent h_j ~ q(· | a), with L depending on a
 * through h and explicitly (a VAE's log q(h | a) term). ∇_a E[L_k] = E[Σ_j ∇_a log q(h_j | a) L_k]
 * + E[∂L_k/∂a|_h]; both are estimated without bias from each group of k samples:
 * - the score part of unit i of sample j by its local expectation (Titsias & Lázaro-Gredilla 2015):
 *   Σ_s ∂q(h_ji = s | a)/∂a_i · L_k with h_ji set to s and the rest of the group held, which is the
 *   conditional expectation of that score term given the rest (the units and samples are independent);
 * - the explicit part by its value at the group, Σ_j w̃_j ∂L(h_j; a)/∂a|_h with the normalised weights
 *   w̃_j = exp(−L_j) / Σ_i exp(−L_i) (∂L_k/∂L_j).
 * Each sample of a group is a `localExpectationRows` block (the sample and each other state of each
 * unit), evaluated through `objective`; L of a block's rows gives L_k at every changed state, since a
 * change to sample j changes L_j only. `explicitGradient(h, hOffset, example, weight, out)` adds
 * weight · ∂L(h; a)/∂a|_h of one row to `out`. The mean over `groups` groups per example is the
 * reference; the standard error of each entry is the sample standard deviation over √groups.
 */
export async function kSampleLocalExpectationGradient(
  latents: LatentFamily, logits: Float64Array, k: number, groups: number, rng: Rng, objective: ExampleRowObjective,
  explicitGradient: (h: Float64Array, hOffset: number, example: number, weight: number, out: Float64Array) => void,
): Promise<MonteCarloGradient> {
  const { width, units, classes } = latents;
  const examples = logits.length / width;
  const rowsPerSample = localExpectationRows(latents);
  const groupsPerPass = Math.max(1, Math.floor(samplesPerPass / k));
  const mean = new Float64Array(examples * width);
  const sumOfSquares = new Float64Array(examples * width);
  const probabilities = new Float64Array(width);
  const uniforms = new Float64Array(units);
  const estimate = new Float64Array(width);
  const sampleTerm = new Float64Array(width);
  const stateValues = new Float64Array(classes);
  const sampleValues = new Float64Array(k);
  for (let example = 0; example < examples; example++) {
    latents.probabilities(logits, example * width, probabilities, 0);
    for (let drawn = 0; drawn < groups; drawn += groupsPerPass) {
      const passGroups = Math.min(groupsPerPass, groups - drawn);
      const h = new Float64Array(passGroups * k * rowsPerSample * width);
      for (let sample = 0; sample < passGroups * k; sample++) {
        rng.fillUniform(uniforms, units);
        fillLocalExpectationBlock(latents, probabilities, uniforms, h, sample * rowsPerSample * width);
      }
      const value = await objective(example, h, passGroups * k);
      for (let group = 0; group < passGroups; group++) {
        const firstBlock = group * k;
        for (let j = 0; j < k; j++) sampleValues[j] = value[(firstBlock + j) * rowsPerSample];
        const smallest = Math.min(...sampleValues);
        let total = 0;
        for (let j = 0; j < k; j++) total += Math.exp(smallest - sampleValues[j]);
        estimate.fill(0);
        for (let j = 0; j < k; j++) {
          const base = (firstBlock + j) * rowsPerSample;
          let row = 1;
          for (let unit = 0; unit < units; unit++) {
            const own = latents.stateOf(h, base * width, unit);
            for (let state = 0; state < classes; state++) {
              const changed = state === own ? sampleValues[j] : value[base + row++];
              stateValues[state] = boundWithOneReplaced(sampleValues, j, changed);
            }
            // Each unit writes its own elements: after the loop `sampleTerm` holds sample j's score part.
            latents.writeExpectationGradient(probabilities, 0, unit, stateValues, sampleTerm, 0);
          }
          for (let element = 0; element < width; element++) estimate[element] += sampleTerm[element];
          explicitGradient(h, base * width, example, Math.exp(smallest - sampleValues[j]) / total, estimate);
        }
        addToRunningMoments(mean, sumOfSquares, example * width, estimate, drawn + group + 1);
      }
    }
  }
  return monteCarloGradient(mean, sumOfSquares, groups);
}
