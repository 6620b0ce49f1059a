/**
 * The categorical kernels of REBAR (see `rebar`): one unit of K classes with logits θ, probabilities
 * p = softmax(θ), and 2K exponential draws, E (the first K, the sample's Gumbels G = −log E) and V (the
 * next K, the conditional's fresh noise). With z = θ + G and b = onehot(argmax z) (the exponential race
 * argmin E_j / p_j, as `categoricalSample` runs it), the conditional z̃ ~ p(z | b) is
 *   z̃_b = log Z − log V_b,   z̃_i = −log(e^{−θ_i} V_i + e^{−z̃_b}) = log Z − log(V_i / p_i + V_b)  (i ≠ b),
 * Z = Σ e^θ (the top-down construction of Maddison, Tarlow & Minka 2014; the REBAR and RELAX appendices).
 * softmax(·/λ) ignores the common log Z, so both relaxed points are written relative to class b:
 *   softmax(z/λ)_k ∝ (p_k E_b / (E_k p_b))^{1/λ},   softmax(z̃/λ)_k ∝ (1 + q_k)^{−1/λ},  q_k = V_k / (p_k V_b), q_b = 0,
 * each weight at most 1 (b is the largest of z and of z̃), so nothing overflows at any λ.
 *
 * ∂z̃/∂θ with b and V held fixed: ∂z̃_i/∂θ_j = r_i δ_ij + (1 − r_i) p_j for i ≠ b, r_i = q_i / (1 + q_i), and
 * ∂z̃_b/∂θ_j = p_j. With ã = ∂f(softmax(z̃/λ))/∂z̃, ã_i = σ̃_i (∂f/∂σ̃_i − Σ_k σ̃_k ∂f/∂σ̃_k) / λ, which sums
 * to 0 over the unit, the chain rule gives
 *   ∂f(softmax(z̃/λ))/∂θ_j = [j ≠ b] ã_j r_j − p_j Σ_{i≠b} ã_i r_i.
 * test/estimators/rebar-categorical.test.ts checks it against finite differences of the formula above.
 *
 * Each kernel runs the race again (`rebarCategoricalWinner`) rather than reading evaluation 0's h: the
 * gradient of evaluation 2 needs b while it reads evaluation 2's own h. Every loop has its own counter, and comparisons sit in
 * conditions only, as gpu.js asks of categorical kernels.
 */

/** b, the class that wins the exponential race argmin_j E_j / p_j on the unit's first K draws, as `categoricalSample` runs it. */
export function rebarCategoricalWinner(
  probabilities: ArrayLike<number>, exponentials: ArrayLike<number>, unitStart: number, noiseStart: number, classes: number,
): number {
  let chosen = 0;
  let best = exponentials[noiseStart] / probabilities[unitStart];
  for (let j = 1; j < classes; j++) {
    const arrival = exponentials[noiseStart + j] / probabilities[unitStart + j];
    if (arrival < best) {
      best = arrival;
      chosen = j;
    }
  }
  return chosen;
}

/**
 * Class k's unnormalised weight in softmax(z/λ) (evaluation 1) or softmax(z̃/λ) (2), relative to the
 * winner `chosen`: ((p_k / E_k) / (p_b / E_b))^{1/λ} or (1 + V_k / (p_k V_b))^{−1/λ}; each at most 1.
 */
export function rebarCategoricalRelaxedWeight(
  probabilities: ArrayLike<number>, exponentials: ArrayLike<number>, unitStart: number, noiseStart: number, classes: number,
  chosen: number, k: number, evaluation: number, inverseTemperature: number,
): number {
  if (evaluation < 1.5) {
    // (p_k / E_k) / (p_b / E_b) <= 1, raised to 1/λ: pow of a number in [0, 1] is defined in GLSL too.
    const best = exponentials[noiseStart + chosen] / probabilities[unitStart + chosen];
    return Math.pow((best * probabilities[unitStart + k]) / exponentials[noiseStart + k], inverseTemperature);
  }
  if (Math.abs(k - chosen) < 0.5) return 1;
  const chosenDraw = exponentials[noiseStart + classes + chosen];
  return 1 / Math.pow(1 + exponentials[noiseStart + classes + k] / (probabilities[unitStart + k] * chosenDraw), inverseTemperature);
}

/** REBAR's categorical forward kernel: b (evaluation 0), softmax(z/λ) (1) and softmax(z̃/λ) (2) of this class. */
export function rebarCategoricalForward(
  probabilities: ArrayLike<number>, exponentials: ArrayLike<number>, unitStart: number, noiseStart: number, classes: number, classIndex: number,
  evaluation: number, temperature: number,
): number {
  const chosen = rebarCategoricalWinner(probabilities, exponentials, unitStart, noiseStart, classes);
  if (evaluation < 0.5) return chosen === classIndex ? 1 : 0;
  const inverseTemperature = 1 / temperature;
  let normaliser = 0;
  let own = 0;
  for (let k = 0; k < classes; k++) {
    const weight = rebarCategoricalRelaxedWeight(probabilities, exponentials, unitStart, noiseStart, classes, chosen, k, evaluation, inverseTemperature);
    normaliser += weight;
    if (k === classIndex) own = weight;
  }
  return own / normaliser;
}

/**
 * REBAR's categorical gradient kernel: evaluation 0's score term (b_j − p_j) f(b), evaluation 1's
 * η ∂f(softmax(z/λ))/∂θ_j, and evaluation 2's −η ((b_j − p_j) f(softmax(z̃/λ)) + ∂f(softmax(z̃/λ))/∂θ_j).
 */
export function rebarCategoricalGradient(
  probabilities: ArrayLike<number>, exponentials: ArrayLike<number>, hValues: ArrayLike<number>, dLdhValues: ArrayLike<number>,
  unitStart: number, noiseStart: number, hStart: number, classes: number, classIndex: number, p: number, h: number, dLdh: number,
  objective: number, evaluation: number, eta: number, temperature: number,
): number {
  if (evaluation < 0.5) return (h - p) * objective;
  // Σ_k σ_k ∂f/∂σ_k of this evaluation's relaxed point.
  let meanSlope = 0;
  for (let k = 0; k < classes; k++) meanSlope += hValues[hStart + k] * dLdhValues[hStart + k];
  if (evaluation < 1.5) return (eta * h * (dLdh - meanSlope)) / temperature;
  const chosen = rebarCategoricalWinner(probabilities, exponentials, unitStart, noiseStart, classes);
  const chosenDraw = exponentials[noiseStart + classes + chosen];
  // Σ_{i≠b} ã_i r_i, and this class's own ã_j r_j (0 for j = b).
  let spread = 0;
  let own = 0;
  for (let i = 0; i < classes; i++) {
    if (i !== chosen) {
      const ratio = exponentials[noiseStart + classes + i] / (probabilities[unitStart + i] * chosenDraw);
      const term = ((hValues[hStart + i] * (dLdhValues[hStart + i] - meanSlope)) / temperature) * (ratio / (1 + ratio));
      spread += term;
      if (i === classIndex) own = term;
    }
  }
  const b = chosen === classIndex ? 1 : 0;
  return -eta * ((b - p) * objective + own - p * spread);
}

/**
 * RELAX's categorical gradient kernel: REBAR's, plus the surrogate network's term computed on the host
 * (`surrogateNetTerm`, see relax.ts), added once per estimate (at evaluation 0).
 */
export function relaxCategoricalGradient(
  probabilities: ArrayLike<number>, exponentials: ArrayLike<number>, hValues: ArrayLike<number>, dLdhValues: ArrayLike<number>,
  unitStart: number, noiseStart: number, hStart: number, classes: number, classIndex: number, p: number, h: number, dLdh: number,
  objective: number, evaluation: number, eta: number, temperature: number, surrogateNetTerm: number,
): number {
  const rebarTerm = rebarCategoricalGradient(
    probabilities, exponentials, hValues, dLdhValues, unitStart, noiseStart, hStart, classes, classIndex, p, h, dLdh, objective, evaluation, eta, temperature,
  );
  if (evaluation < 0.5) return rebarTerm + surrogateNetTerm;
  return rebarTerm;
}

/**
 * `rebarCategoricalForward` for a whole unit (the CPU's `unitForward`): the race once, the relaxed
 * weights once, each divided by their sum taken in the same order, so the numbers are the K calls' own.
 */
export function rebarCategoricalUnitForward(
  probabilities: ArrayLike<number>, exponentials: ArrayLike<number>, unitStart: number, noiseStart: number, classes: number,
  evaluation: number, temperature: number, out: Float64Array, outStart: number,
): void {
  const chosen = rebarCategoricalWinner(probabilities, exponentials, unitStart, noiseStart, classes);
  if (evaluation < 0.5) {
    for (let k = 0; k < classes; k++) out[outStart + k] = k === chosen ? 1 : 0;
    return;
  }
  const inverseTemperature = 1 / temperature;
  let normaliser = 0;
  for (let k = 0; k < classes; k++) {
    const weight = rebarCategoricalRelaxedWeight(probabilities, exponentials, unitStart, noiseStart, classes, chosen, k, evaluation, inverseTemperature);
    normaliser += weight;
    out[outStart + k] = weight;
  }
  for (let k = 0; k < classes; k++) out[outStart + k] = out[outStart + k] / normaliser;
}

/**
 * `rebarCategoricalGradient` for a whole unit (the CPU's `unitGradient`): adds each class's contribution
 * of this evaluation to `out`, the sums over the unit computed once, in the element kernel's order (each
 * class's ã_i r_i kept in `scratch`), so the numbers are the K calls' own.
 */
export function rebarCategoricalUnitGradient(
  probabilities: ArrayLike<number>, exponentials: ArrayLike<number>, hValues: ArrayLike<number>, dLdhValues: ArrayLike<number>,
  unitStart: number, noiseStart: number, hStart: number, classes: number, objective: number, evaluation: number, eta: number, temperature: number,
  out: Float64Array, outStart: number, scratch: Float64Array,
): void {
  if (evaluation < 0.5) {
    for (let k = 0; k < classes; k++) out[outStart + k] += (hValues[hStart + k] - probabilities[unitStart + k]) * objective;
    return;
  }
  let meanSlope = 0;
  for (let k = 0; k < classes; k++) meanSlope += hValues[hStart + k] * dLdhValues[hStart + k];
  if (evaluation < 1.5) {
    for (let k = 0; k < classes; k++) out[outStart + k] += (eta * hValues[hStart + k] * (dLdhValues[hStart + k] - meanSlope)) / temperature;
    return;
  }
  const chosen = rebarCategoricalWinner(probabilities, exponentials, unitStart, noiseStart, classes);
  const chosenDraw = exponentials[noiseStart + classes + chosen];
  let spread = 0;
  for (let i = 0; i < classes; i++) {
    scratch[i] = 0;
    if (i !== chosen) {
      const ratio = exponentials[noiseStart + classes + i] / (probabilities[unitStart + i] * chosenDraw);
      scratch[i] = ((hValues[hStart + i] * (dLdhValues[hStart + i] - meanSlope)) / temperature) * (ratio / (1 + ratio));
      spread += scratch[i];
    }
  }
  for (let k = 0; k < classes; k++) {
    const p = probabilities[unitStart + k];
    const b = k === chosen ? 1 : 0;
    out[outStart + k] += -eta * ((b - p) * objective + scratch[k] - p * spread);
  }
}
