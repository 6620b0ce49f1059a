import type { HostTermInput } from '../core/host-terms.js';

/**
 * One row of a batch as RELAX's network terms read it: the relaxed sample z and the conditional z̃ the
 * network sees, the score ∂log p(b)/∂θ = b − p, and the Jacobian ∂z̃/∂θ, which within a unit has the form
 *   ∂z̃_i/∂θ_j = slope_i δ_ij + mix_i p_j   (i, j of the same unit; 0 across units).
 * On Bernoulli nodes each unit is one logit and mix = 0 (relax.ts fills it); on categorical nodes
 * (`readCategoricalRow`) units have K classes.
 */
export interface RelaxRowSamples {
  readonly z: Float64Array;
  readonly conditional: Float64Array;
  readonly score: Float64Array;
  readonly slope: Float64Array;
  readonly mix: Float64Array;
  /** p of each element (what `mix` multiplies). */
  readonly probability: Float64Array;
}

/** Empty row samples for rows of `width` elements. */
export function relaxRowSamples(width: number): RelaxRowSamples {
  const array = () => new Float64Array(width);
  return { z: array(), conditional: array(), score: array(), slope: array(), mix: array(), probability: array() };
}

/**
 * Fills `out` with row `row` of a categorical batch, from REBAR's categorical noise (2K exponentials per
 * unit: E then V, see estimators/rebar-categorical-kernels.ts): b = argmin E_j / p_j (the kernels' race),
 * z = θ − log E, and the conditional with its log Z, which the network (unlike a softmax) does not ignore:
 *   z̃_b = log Z − log V_b,  z̃_i = log Z − log(V_i / p_i + V_b);
 * ∂z̃_i/∂θ_j = r_i δ_ij + (1 − r_i) p_j with r_i = q_i / (1 + q_i), q_i = V_i / (p_i V_b), and r_b = 0
 * (∂z̃_b/∂θ_j = ∂log Z/∂θ_j = p_j).
 */
export function readCategoricalRow(batch: HostTermInput, row: number, out: RelaxRowSamples): void {
  const { width, noiseWidth, logits, probabilities } = batch;
  const classes = batch.classes!;
  const exponentials = batch.exponentials!;
  const perUnit = 2 * classes;
  for (let unitStart = 0; unitStart < width; unitStart += classes) {
    const element = row * width + unitStart;
    const noise = row * noiseWidth + (unitStart / classes) * perUnit;
    let chosen = 0;
    let best = exponentials[noise] / probabilities[element];
    let largest = logits[element];
    for (let j = 1; j < classes; j++) {
      const arrival = exponentials[noise + j] / probabilities[element + j];
      if (arrival < best) {
        best = arrival;
        chosen = j;
      }
      largest = Math.max(largest, logits[element + j]);
    }
    let total = 0;
    for (let j = 0; j < classes; j++) total += Math.exp(logits[element + j] - largest);
    const logNormaliser = largest + Math.log(total);
    const chosenDraw = exponentials[noise + classes + chosen];
    for (let j = 0; j < classes; j++) {
      const index = unitStart + j;
      const p = probabilities[element + j];
      out.probability[index] = p;
      out.z[index] = logits[element + j] - Math.log(exponentials[noise + j]);
      out.score[index] = (j === chosen ? 1 : 0) - p;
      if (j === chosen) {
        out.conditional[index] = logNormaliser - Math.log(chosenDraw);
        out.slope[index] = 0;
        out.mix[index] = 1;
      } else {
        const ratio = exponentials[noise + classes + j] / (p * chosenDraw);
        out.conditional[index] = logNormaliser - Math.log(exponentials[noise + classes + j] / p + chosenDraw);
        out.slope[index] = ratio / (1 + ratio);
        out.mix[index] = 1 - out.slope[index];
      }
    }
  }
}
