import { defineEstimator, noElementKernels } from '../core/estimator.js';
import { categoricalSample, categoricalSampleUnit } from './categorical-sample.js';

/**
 * Gumbel-Rao (GR-MC): straight-through Gumbel-softmax Rao-Blackwellised over the Gumbel noise given the
 * sample. Forward: D = onehot(argmax(theta + G)), as ST-GS. Backward: the ST-GS Jacobian of
 * softmax(z / tau) at z = theta + G, averaged over M Gumbel vectors drawn from their conditional law
 * given argmax = D, applied to dL/dD. With log Z = logsumexp(theta) and fresh Exp(1) draws E_j:
 * z_D = log Z - log E_D and z_j = -log(E_j exp(-theta_j) + E_D / Z) for j != D (the top-down
 * construction of Maddison, Tarlow & Minka 2014: the maximum, then the others truncated below it). The Jacobian is taken
 * with respect to theta at fixed z - theta, which keeps E[GR] = E[ST-GS] (the Rao-Blackwell
 * argument) and a variance no larger. Biased as ST-GS is; M = 1 is ST-GS's mean at ST-GS's cost plus
 * one resample. Categorical nodes.
 */
export const gumbelRao = defineEstimator({
  id: 'gumbel-rao',
  title: 'Gumbel-Rao (Rao-Blackwellised straight-through Gumbel-softmax)',
  citation: 'Paulus, Maddison & Krause (2021), "Rao-Blackwellizing the Straight-Through Gumbel-Softmax Gradient Estimator", ICLR 2021',
  family: 'pathwise-surrogate',
  nodeKinds: ['categorical'],
  claimsUnbiased: false,
  params: {
    tau: { description: 'temperature of the relaxation used in the backward pass', default: 1, minimum: 0, exclusiveMinimum: true },
    // Noise per estimate grows as units × K × (M + 1): 100 keeps a batch of 8192 estimates of 8 six-class units near 40M draws.
    conditionalSamples: {
      description: 'M, the number of conditional Gumbel samples averaged per estimate', default: 10, minimum: 1, maximum: 100, integer: true,
    },
  },
  noise: [],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  kernels: noElementKernels,
  categoricalKernels: {
    // The first K draws make the forward sample; K more for each conditional resample.
    exponentialsPerUnit: (params, classes) => classes * (1 + Number(params.conditionalSamples)),
    forward: categoricalSample,
    gradient: function gumbelRaoGradient(
      probabilities: ArrayLike<number>, exponentials: ArrayLike<number>, hValues: ArrayLike<number>, dLdhValues: ArrayLike<number>,
      unitStart: number, noiseStart: number, hStart: number, classes: number, classIndex: number, tau: number, conditionalSamples: number,
    ): number {
      // D, the class of the forward pass's one-hot sample.
      let chosen = 0;
      for (let j = 0; j < classes; j++) if (hValues[hStart + j] > 0.5) chosen = j;
      // z_D - z_k = log(1 + E_k / (pi_k E_D)) (log Z - theta_k = -log pi_k), so softmax(z / tau) has weights
      // (1 + E_k / (pi_k E_D))^(-1/tau) relative to class D: no exp or log when 1/tau is a whole number.
      const inverseTau = 1 / tau;
      let total = 0;
      for (let m = 0; m < conditionalSamples; m++) {
        const draws = noiseStart + (m + 1) * classes;
        const chosenDraw = exponentials[draws + chosen];
        let normaliser = 0;
        let weighted = 0;
        let own = 0;
        for (let k = 0; k < classes; k++) {
          const ratio = k === chosen ? 0 : exponentials[draws + k] / (probabilities[unitStart + k] * chosenDraw);
          const weight = inverseTau === Math.floor(inverseTau) ? 1 / Math.pow(1 + ratio, inverseTau) : Math.exp(-Math.log(1 + ratio) * inverseTau);
          normaliser += weight;
          weighted += weight * dLdhValues[hStart + k];
          if (k === classIndex) own = weight;
        }
        total += ((own / normaliser) * (dLdhValues[hStart + classIndex] - weighted / normaliser)) / tau;
      }
      return total / conditionalSamples;
    },
    unitForward: categoricalSampleUnit,
    unitGradient: function gumbelRaoUnitGradient(
      probabilities: ArrayLike<number>, exponentials: ArrayLike<number>, hValues: ArrayLike<number>, dLdhValues: ArrayLike<number>,
      unitStart: number, noiseStart: number, hStart: number, classes: number, tau: number, conditionalSamples: number,
      out: Float64Array, outStart: number, scratch: Float64Array,
    ): void {
      // gradient's numbers, each conditional sample's weights computed once for the unit: weights in
      // scratch[0, K), the running sums over samples in scratch[K, 2K).
      let chosen = 0;
      for (let j = 0; j < classes; j++) if (hValues[hStart + j] > 0.5) chosen = j;
      const inverseTau = 1 / tau;
      for (let k = 0; k < classes; k++) scratch[classes + k] = 0;
      for (let m = 0; m < conditionalSamples; m++) {
        const draws = noiseStart + (m + 1) * classes;
        const chosenDraw = exponentials[draws + chosen];
        let normaliser = 0;
        let weighted = 0;
        for (let k = 0; k < classes; k++) {
          const ratio = k === chosen ? 0 : exponentials[draws + k] / (probabilities[unitStart + k] * chosenDraw);
          const weight = inverseTau === Math.floor(inverseTau) ? 1 / Math.pow(1 + ratio, inverseTau) : Math.exp(-Math.log(1 + ratio) * inverseTau);
          normaliser += weight;
          weighted += weight * dLdhValues[hStart + k];
          scratch[k] = weight;
        }
        const meanGradient = weighted / normaliser; // the same number for every class: divided once
        for (let k = 0; k < classes; k++) {
          scratch[classes + k] += ((scratch[k] / normaliser) * (dLdhValues[hStart + k] - meanGradient)) / tau;
        }
      }
      for (let k = 0; k < classes; k++) out[outStart + k] += scratch[classes + k] / conditionalSamples;
    },
  },
});
