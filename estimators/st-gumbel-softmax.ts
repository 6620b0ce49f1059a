import { defineEstimator, noElementKernels } from './estimator.js';
import { gumbelMaxOneHot } from './gumbel-max-sample.js';

/**
 * Straight-through Gumbel-softmax: the forward pass hands downstream the hard one-hot sample
 * D = onehot(argmax(theta + G)), G i.i.d. Gumbel(0, 1); the backward pass uses the gradient of the
 * relaxed y = softmax((theta + G) / tau) with the same G, applied to dL/dD:
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
    gumbelsPerUnit: (_params, classes) => classes,
    forward: gumbelMaxOneHot,
    gradient: function stGumbelSoftmaxGradient(
      logits: ArrayLike<number>, gumbels: ArrayLike<number>, dLdhValues: ArrayLike<number>,
      unitStart: number, noiseStart: number, hStart: number, classes: number, classIndex: number, tau: number,
    ): number {
      // y = softmax((theta + G) / tau) with the forward pass's G, shifted by the largest perturbed logit.
      let largest = logits[unitStart] + gumbels[noiseStart];
      for (let j = 1; j < classes; j++) largest = Math.max(largest, logits[unitStart + j] + gumbels[noiseStart + j]);
      let total = 0;
      let weighted = 0;
      let own = 0;
      for (let k = 0; k < classes; k++) {
        const weight = Math.exp((logits[unitStart + k] + gumbels[noiseStart + k] - largest) / tau);
        total += weight;
        weighted += weight * dLdhValues[hStart + k];
        if (k === classIndex) own = weight;
      }
      return ((own / total) * (dLdhValues[hStart + classIndex] - weighted / total)) / tau;
    },
  },
});
