import { defineEstimator, noElementKernels } from './estimator.js';
import { categoricalSample, categoricalSampleUnit } from './categorical-sample.js';

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
    forward: categoricalSample,
    gradient: function reinmaxGradient(
      probabilities: ArrayLike<number>, hValues: ArrayLike<number>, dLdhValues: ArrayLike<number>,
      unitStart: number, hStart: number, classes: number, classIndex: number, tau: number,
    ): number {
      // softmax(theta / tau)_k is proportional to pi_k^(1/tau) (pi = softmax(theta) is `probabilities`); scaled
      // by the largest pi, no exp or log when 1/tau is a whole number (the default tau = 1 gives pi itself).
      let largest = probabilities[unitStart];
      for (let j = 1; j < classes; j++) largest = Math.max(largest, probabilities[unitStart + j]);
      const inverseTau = 1 / tau;
      let total = 0;
      let temperedWeighted = 0;
      let own = 0;
      let sampleDotGradient = 0;
      let pi0DotGradient = 0;
      for (let k = 0; k < classes; k++) {
        const gradient = dLdhValues[hStart + k];
        const ratio = probabilities[unitStart + k] / largest;
        const weight = inverseTau === Math.floor(inverseTau) ? Math.pow(ratio, inverseTau) : Math.exp(Math.log(ratio) * inverseTau);
        total += weight;
        temperedWeighted += weight * gradient;
        if (k === classIndex) own = weight;
        sampleDotGradient += hValues[hStart + k] * gradient;
        pi0DotGradient += probabilities[unitStart + k] * gradient;
      }
      const pi1 = 0.5 * (hValues[hStart + classIndex] + own / total);
      const pi1DotGradient = 0.5 * (sampleDotGradient + temperedWeighted / total);
      const gradientHere = dLdhValues[hStart + classIndex];
      const pi0 = probabilities[unitStart + classIndex];
      return 2 * pi1 * (gradientHere - pi1DotGradient) - 0.5 * pi0 * (gradientHere - pi0DotGradient);
    },
    unitForward: categoricalSampleUnit,
    unitGradient: function reinmaxUnitGradient(
      probabilities: ArrayLike<number>, hValues: ArrayLike<number>, dLdhValues: ArrayLike<number>,
      unitStart: number, hStart: number, classes: number, tau: number, out: Float64Array, outStart: number, scratch: Float64Array,
    ): void {
      // gradient's numbers, the unit's tempered weights and dot products computed once (weights in scratch).
      let largest = probabilities[unitStart];
      for (let j = 1; j < classes; j++) largest = Math.max(largest, probabilities[unitStart + j]);
      const inverseTau = 1 / tau;
      let total = 0;
      let temperedWeighted = 0;
      let sampleDotGradient = 0;
      let pi0DotGradient = 0;
      for (let k = 0; k < classes; k++) {
        const gradient = dLdhValues[hStart + k];
        const ratio = probabilities[unitStart + k] / largest;
        const weight = inverseTau === Math.floor(inverseTau) ? Math.pow(ratio, inverseTau) : Math.exp(Math.log(ratio) * inverseTau);
        total += weight;
        temperedWeighted += weight * gradient;
        scratch[k] = weight;
        sampleDotGradient += hValues[hStart + k] * gradient;
        pi0DotGradient += probabilities[unitStart + k] * gradient;
      }
      const pi1DotGradient = 0.5 * (sampleDotGradient + temperedWeighted / total);
      for (let k = 0; k < classes; k++) {
        const pi1 = 0.5 * (hValues[hStart + k] + scratch[k] / total);
        const gradientHere = dLdhValues[hStart + k];
        const pi0 = probabilities[unitStart + k];
        out[outStart + k] += 2 * pi1 * (gradientHere - pi1DotGradient) - 0.5 * pi0 * (gradientHere - pi0DotGradient);
      }
    },
  },
});
