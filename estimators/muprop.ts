import { defineEstimator } from '../core/estimator.js';

/**
 * The class the unit's one-hot sample D takes: the exponential race argmin_j E_j / π_j (the Gumbel-max
 * trick, as `categoricalSample` draws it). Declared here, as a helper the kernels call by name.
 */
function mupropSampledClass(probabilities: ArrayLike<number>, exponentials: ArrayLike<number>, unitStart: number, noiseStart: number, classes: number): number {
  let winner = 0;
  let best = exponentials[noiseStart] / probabilities[unitStart];
  for (let raced = 1; raced < classes; raced++) {
    const arrival = exponentials[noiseStart + raced] / probabilities[unitStart + raced];
    if (arrival < best) {
      best = arrival;
      winner = raced;
    }
  }
  return winner;
}

/**
 * MuProp: REINFORCE with a control variate from the first-order Taylor expansion of f around the
 * mean-field point μ = p. Evaluation 0 is the sample b = 1[u < p]; evaluation 1 the mean-field point
 * h = p (both with the same u, so the term below can recompute b), and
 *   g_i = [f(b) − f(μ) − f'(μ)ᵀ(b − μ)] (b_i − p_i) + f'(μ)_i p_i (1 − p_i),
 * the first part a score-function term (∂log p(b)/∂θ_i = b_i − p_i) and the second the analytic mean of
 * the control variate (∂μ_i/∂θ_i = p_i (1 − p_i)). Unbiased for any f: E[f'(μ)ᵀ(b − μ)(b_i − p_i)] =
 * f'(μ)_i p_i (1 − p_i). The sum f'(μ)ᵀ(b − μ) over the units is the estimator's row term.
 *
 * On categorical nodes (units of K classes, π = softmax(θ) per unit): evaluation 0 is the one-hot sample
 * D (the exponential race, as `categoricalSample` draws it), evaluation 1 the mean-field point μ = π, both
 * from the same exponentials. With the control variate c(D) = f(μ) + f'(μ)ᵀ(D − μ), its coefficients
 * held, and the score ∂log π_D/∂θ_j = D_j − π_j:
 *   g_j = [f(D) − f(μ) − f'(μ)ᵀ(D − μ)] (D_j − π_j) + π_j (f'(μ)_j − Σ_k π_k f'(μ)_k),
 * the last term ∂/∂θ_j of E[c(D)] = f(μ) + f'(μ)ᵀ(π − μ) with μ held, that is Σ_k f'(μ)_k ∂π_k/∂θ_j,
 * ∂π_k/∂θ_j = π_k (δ_kj − π_j), within the unit. Unbiased for any f, since c is linear in D with fixed
 * coefficients: E[c(D)(D_j − π_j)] = ∂E[c(D)]/∂θ_j. The row term f'(μ)_j (D_j − π_j) is summed over every
 * unit and class (`CategoricalKernels.rowTerm`).
 */
export const muprop = defineEstimator({
  id: 'muprop',
  title: 'MuProp (Taylor control variate at the mean-field point)',
  citation: 'Gu, Levine, Sutskever & Mnih (2016), "MuProp: Unbiased Backpropagation for Stochastic Neural Networks", ICLR, arXiv:1511.05176',
  family: 'score-function',
  nodeKinds: ['bernoulli', 'categorical'],
  claimsUnbiased: true,
  params: {},
  noise: ['uniform'],
  evaluations: 2,
  // Evaluation 1, the mean-field point, feeds the control variate alone.
  sampleEvaluations: 1,
  needs: { objective: true, objectiveGradient: true },
  kernels: {
    forward: function mupropForward(p: number, u: number, evaluation: number): number {
      if (evaluation < 0.5) return Math.ceil(p - u) + 0;
      return p;
    },
    // f'(μ)_i (b_i − μ_i), read at the mean-field evaluation (dLdh there is f'(μ)_i; b_i is the sample's, from u again).
    rowTerm: function mupropTaylorTerm(p: number, u: number, dLdh: number, evaluation: number): number {
      if (evaluation < 0.5) return 0;
      return dLdh * (Math.ceil(p - u) + 0 - p);
    },
    gradient: function mupropGradient(
      p: number, h: number, dLdh: number, objectives: ArrayLike<number>, objectivesStart: number, rowTermSum: number, evaluation: number,
    ): number {
      if (evaluation < 0.5) return (objectives[objectivesStart] - objectives[objectivesStart + 1] - rowTermSum) * (h - p);
      return dLdh * p * (1 - p);
    },
  },
  categoricalKernels: {
    exponentialsPerUnit: (_params, classes) => classes,
    helpers: [mupropSampledClass],
    forward: function mupropCategoricalForward(
      p: number, probabilities: ArrayLike<number>, exponentials: ArrayLike<number>, unitStart: number, noiseStart: number, classes: number, classIndex: number, evaluation: number,
    ): number {
      if (evaluation > 0.5) return p;
      return mupropSampledClass(probabilities, exponentials, unitStart, noiseStart, classes) === classIndex ? 1 : 0;
    },
    // f'(μ)_j (D_j − μ_j), read at the mean-field evaluation (dLdh there is f'(μ)_j; D from the shared exponentials again).
    rowTerm: function mupropCategoricalTaylorTerm(
      p: number, dLdh: number, probabilities: ArrayLike<number>, exponentials: ArrayLike<number>, unitStart: number, noiseStart: number, classes: number, classIndex: number, evaluation: number,
    ): number {
      if (evaluation < 0.5) return 0;
      const sampled = mupropSampledClass(probabilities, exponentials, unitStart, noiseStart, classes) === classIndex ? 1 : 0;
      return dLdh * (sampled - p);
    },
    gradient: function mupropCategoricalGradient(
      p: number, h: number, dLdh: number, objectives: ArrayLike<number>, objectivesStart: number, rowTermSum: number, evaluation: number,
      probabilities: ArrayLike<number>, dLdhValues: ArrayLike<number>, unitStart: number, hStart: number, classes: number,
    ): number {
      if (evaluation < 0.5) return (objectives[objectivesStart] - objectives[objectivesStart + 1] - rowTermSum) * (h - p);
      // π_j (f'(μ)_j − Σ_k π_k f'(μ)_k): the unit's probabilities and, at the mean-field evaluation, its f'(μ).
      let expectedSlope = 0;
      for (let k = 0; k < classes; k++) expectedSlope += probabilities[unitStart + k] * dLdhValues[hStart + k];
      return p * (dLdh - expectedSlope);
    },
    // The CPU's unit forms: the element kernels' numbers, with the race and the expected slope done once per unit.
    unitForward: function mupropCategoricalUnitForward(
      probabilities: ArrayLike<number>, exponentials: ArrayLike<number>, unitStart: number, noiseStart: number, classes: number, evaluation: number,
      out: Float64Array, outStart: number,
    ): void {
      if (evaluation > 0.5) {
        for (let k = 0; k < classes; k++) out[outStart + k] = probabilities[unitStart + k];
        return;
      }
      const winner = mupropSampledClass(probabilities, exponentials, unitStart, noiseStart, classes);
      for (let k = 0; k < classes; k++) out[outStart + k] = k === winner ? 1 : 0;
    },
    unitGradient: function mupropCategoricalUnitGradient(
      probabilities: ArrayLike<number>, hValues: ArrayLike<number>, dLdhValues: ArrayLike<number>, objectives: ArrayLike<number>, objectivesStart: number,
      rowTermSum: number, evaluation: number, unitStart: number, hStart: number, classes: number, out: Float64Array, outStart: number,
    ): void {
      if (evaluation < 0.5) {
        const signal = objectives[objectivesStart] - objectives[objectivesStart + 1] - rowTermSum;
        for (let k = 0; k < classes; k++) out[outStart + k] += signal * (hValues[hStart + k] - probabilities[unitStart + k]);
        return;
      }
      let expectedSlope = 0;
      for (let k = 0; k < classes; k++) expectedSlope += probabilities[unitStart + k] * dLdhValues[hStart + k];
      for (let j = 0; j < classes; j++) out[outStart + j] += probabilities[unitStart + j] * (dLdhValues[hStart + j] - expectedSlope);
    },
  },
});
