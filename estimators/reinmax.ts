import { defineEstimator, noElementKernels } from '../core/estimator.js';
import { categoricalSample, categoricalSampleUnit } from './categorical-sample.js';

/**
 * softmax(theta / tau)_k before normalising, scaled by the unit's largest pi: softmax(theta / tau)_k is
 * proportional to pi_k^(1/tau) (pi = softmax(theta)), so (pi_k / largest)^(1/tau), with no exp or log
 * when 1/tau is a whole number (the default tau = 1 gives pi_k / largest).
 */
function reinmaxTemperedWeight(probability: number, largest: number, inverseTau: number): number {
  const ratio = probability / largest;
  return inverseTau === Math.floor(inverseTau) ? Math.pow(ratio, inverseTau) : Math.exp(Math.log(ratio) * inverseTau);
}

/**
 * ReinMax (Algorithm 2 of the paper): D ~ Categorical(pi0), pi0 = softmax(theta), is handed downstream;
 * with pi1 = (D + softmax(theta / tau)) / 2, the algorithm's autograd graph
 * (pi1 <- softmax(stopgrad(ln pi1 - theta) + theta), pi2 = 2 pi1 - pi0 / 2, D <- pi2 - stopgrad(pi2) + D)
 * gives dL/dtheta = 2 J(pi1) dL/dD - (1/2) J(pi0) dL/dD with J(pi) = diag(pi) - pi pi^T, i.e.
 * dL/dtheta_j = 2 pi1_j (g_j - pi1 . g) - (1/2) pi0_j (g_j - pi0 . g), g = dL/dD. Heun's method: second-order
 * accurate where straight-through is first-order; biased. D is drawn by Gumbel-max (same law as
 * sampling pi0 directly). Categorical nodes.
 */
export const reinmax = defineEstimator({
  id: 'reinmax',
  title: 'ReinMax',
  citation: 'Liu, Dong, Liu, Yu & Gao (2023), "Bridging Discrete and Backpropagation: Straight-Through and Beyond", NeurIPS 2023, Algorithm 2',
  family: 'pathwise-surrogate',
  nodeKinds: ['categorical'],
  claimsUnbiased: false,
  params: {
    // The authors' package refuses tau < 1 ("ReinMax prefers tau >= 1"); Algorithm 2 itself takes any tau > 0.
    tau: { description: 'temperature of softmax(theta / tau) in pi1 (the authors recommend tau >= 1)', default: 1, minimum: 0, exclusiveMinimum: true },
  },
  noise: [],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  kernels: noElementKernels,
  categoricalKernels: {
    exponentialsPerUnit: (_params, classes) => classes,
    helpers: [reinmaxTemperedWeight],
    forward: categoricalSample,
    gradient: function reinmaxGradient(
      probabilities: ArrayLike<number>, hValues: ArrayLike<number>, dLdhValues: ArrayLike<number>,
      unitStart: number, hStart: number, classes: number, classIndex: number, tau: number,
    ): number {
      // tempered_k = softmax(theta / tau)_k, normalised as reinmaxUnitPrepare does, so the unit forms match.
      let largest = probabilities[unitStart];
      for (let j = 1; j < classes; j++) largest = Math.max(largest, probabilities[unitStart + j]);
      const inverseTau = 1 / tau;
      let total = 0;
      for (let m = 0; m < classes; m++) total += reinmaxTemperedWeight(probabilities[unitStart + m], largest, inverseTau);
      let temperedDotGradient = 0;
      let sampleDotGradient = 0;
      let pi0DotGradient = 0;
      let own = 0;
      for (let k = 0; k < classes; k++) {
        const gradient = dLdhValues[hStart + k];
        const tempered = reinmaxTemperedWeight(probabilities[unitStart + k], largest, inverseTau) / total;
        if (k === classIndex) own = tempered;
        temperedDotGradient += tempered * gradient;
        sampleDotGradient += hValues[hStart + k] * gradient;
        pi0DotGradient += probabilities[unitStart + k] * gradient;
      }
      const pi1 = 0.5 * (hValues[hStart + classIndex] + own);
      const pi1DotGradient = 0.5 * (sampleDotGradient + temperedDotGradient);
      const gradientHere = dLdhValues[hStart + classIndex];
      const pi0 = probabilities[unitStart + classIndex];
      return 2 * pi1 * (gradientHere - pi1DotGradient) - 0.5 * pi0 * (gradientHere - pi0DotGradient);
    },
    unitPrepare: function reinmaxUnitPrepare(
      probabilities: ArrayLike<number>, unitStart: number, classes: number, tau: number, out: Float64Array, outStart: number,
    ): void {
      // softmax(theta / tau) depends on the logits only: the CPU computes it once per row of logits, not per sample.
      let largest = probabilities[unitStart];
      for (let j = 1; j < classes; j++) largest = Math.max(largest, probabilities[unitStart + j]);
      const inverseTau = 1 / tau;
      let total = 0;
      for (let m = 0; m < classes; m++) {
        out[outStart + m] = reinmaxTemperedWeight(probabilities[unitStart + m], largest, inverseTau);
        total += out[outStart + m];
      }
      for (let k = 0; k < classes; k++) out[outStart + k] /= total;
    },
    unitForward: categoricalSampleUnit,
    unitGradient: function reinmaxUnitGradient(
      probabilities: ArrayLike<number>, prepared: ArrayLike<number>, hValues: ArrayLike<number>, dLdhValues: ArrayLike<number>,
      unitStart: number, hStart: number, classes: number, out: Float64Array, outStart: number,
    ): void {
      // gradient's numbers, with the unit's dot products computed once and softmax(theta / tau) prepared.
      let temperedDotGradient = 0;
      let sampleDotGradient = 0;
      let pi0DotGradient = 0;
      for (let k = 0; k < classes; k++) {
        const gradient = dLdhValues[hStart + k];
        temperedDotGradient += prepared[unitStart + k] * gradient;
        sampleDotGradient += hValues[hStart + k] * gradient;
        pi0DotGradient += probabilities[unitStart + k] * gradient;
      }
      const pi1DotGradient = 0.5 * (sampleDotGradient + temperedDotGradient);
      for (let k = 0; k < classes; k++) {
        const pi1 = 0.5 * (hValues[hStart + k] + prepared[unitStart + k]);
        const gradientHere = dLdhValues[hStart + k];
        const pi0 = probabilities[unitStart + k];
        out[outStart + k] += 2 * pi1 * (gradientHere - pi1DotGradient) - 0.5 * pi0 * (gradientHere - pi0DotGradient);
      }
    },
  },
});
