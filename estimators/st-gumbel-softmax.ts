import { defineEstimator, noElementKernels } from '../core/estimator.js';
import { categoricalSample, categoricalSampleUnit } from './categorical-sample.js';

/**
 * Straight-through Gumbel-softmax: the forward pass hands downstream the hard one-hot sample
 * D = onehot(argmax(theta + G)), G i.i.d. Gumbel(0, 1) (drawn as the exponential race, see
 * `categoricalSample`); the backward pass uses the gradient of the relaxed y = softmax((theta + G) / tau)
 * with the same G, applied to dL/dD:
 * dL/dtheta_j = (1/tau) y_j (dL/dD_j - y . dL/dD). Biased; categorical nodes.
 */
export const stGumbelSoftmax = defineEstimator({
  id: 'st-gumbel-softmax',
  title: 'Straight-through Gumbel-softmax',
  citation: 'Jang, Gu & Poole (2016), arXiv:1611.01144 (ICLR 2017), section 2.2',
  family: 'pathwise-surrogate',
  nodeKinds: ['categorical'],
  claimsUnbiased: false,
  params: {
    tau: { description: 'temperature of the relaxation used in the backward pass', default: 1, minimum: 0, exclusiveMinimum: true },
  },
  noise: [],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  kernels: noElementKernels,
  categoricalKernels: {
    exponentialsPerUnit: (_params, classes) => classes,
    forward: categoricalSample,
    gradient: function stGumbelSoftmaxGradient(
      probabilities: ArrayLike<number>, exponentials: ArrayLike<number>, dLdhValues: ArrayLike<number>,
      unitStart: number, noiseStart: number, hStart: number, classes: number, classIndex: number, tau: number,
    ): number {
      // y = softmax((theta + G) / tau) with the forward pass's noise: y_j ∝ (pi_j / E_j)^(1/tau), scaled by
      // the largest ratio (the winner's); no exp or log when 1/tau is a whole number.
      let largest = probabilities[unitStart] / exponentials[noiseStart];
      for (let j = 1; j < classes; j++) largest = Math.max(largest, probabilities[unitStart + j] / exponentials[noiseStart + j]);
      const inverseTau = 1 / tau;
      let total = 0;
      let weighted = 0;
      let own = 0;
      for (let k = 0; k < classes; k++) {
        const ratio = probabilities[unitStart + k] / exponentials[noiseStart + k] / largest;
        const weight = inverseTau === Math.floor(inverseTau) ? Math.pow(ratio, inverseTau) : Math.exp(Math.log(ratio) * inverseTau);
        total += weight;
        weighted += weight * dLdhValues[hStart + k];
        if (k === classIndex) own = weight;
      }
      return ((own / total) * (dLdhValues[hStart + classIndex] - weighted / total)) / tau;
    },
    unitForward: categoricalSampleUnit,
    unitGradient: function stGumbelSoftmaxUnitGradient(
      probabilities: ArrayLike<number>, exponentials: ArrayLike<number>, dLdhValues: ArrayLike<number>,
      unitStart: number, noiseStart: number, hStart: number, classes: number, tau: number, out: Float64Array, outStart: number, scratch: Float64Array,
    ): void {
      // gradient's numbers, with what its K calls share computed once: the ratios pi_j / E_j (in
      // scratch[K, 2K)), the weights (in scratch[0, K)) and the weighted mean of dL/dh.
      for (let j = 0; j < classes; j++) scratch[classes + j] = probabilities[unitStart + j] / exponentials[noiseStart + j];
      let largest = scratch[classes];
      for (let j = 1; j < classes; j++) largest = Math.max(largest, scratch[classes + j]);
      const inverseTau = 1 / tau;
      let total = 0;
      let weighted = 0;
      for (let k = 0; k < classes; k++) {
        const ratio = scratch[classes + k] / largest;
        const weight = inverseTau === Math.floor(inverseTau) ? Math.pow(ratio, inverseTau) : Math.exp(Math.log(ratio) * inverseTau);
        total += weight;
        weighted += weight * dLdhValues[hStart + k];
        scratch[k] = weight;
      }
      const meanGradient = weighted / total;
      for (let k = 0; k < classes; k++) out[outStart + k] += ((scratch[k] / total) * (dLdhValues[hStart + k] - meanGradient)) / tau;
    },
  },
});
