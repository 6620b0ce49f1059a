import { defineEstimator, noElementKernels } from '../core/estimator.js';
import { categoricalSample, categoricalSampleUnit } from './categorical-sample.js';

/**
 * Gapped Straight-Through (GST-1.0), as the authors' reference code defines it (`gst_mover` in
 * model/basic.py of github.com/chijames/GST, with `gap` a number): D ~ Categorical(pi), pi = softmax(theta),
 * is handed downstream; the backward pass is that of softmax(z / tau) at "gapped" logits z built from
 * theta by constant moves: the sampled class is moved up to the largest logit (move = (theta_max − theta_D)
 * on D), and every other class j is moved down by max(0, theta_j − theta_max + gap), so
 * z_D = theta_max and z_j = min(theta_j, theta_max − gap): the sample leads every other class by at least
 * `gap`, with no Gumbel resampling. The moves carry no gradient, so
 * dL/dtheta_j = (1/tau) y_j (dL/dD_j − y . dL/dD), y = softmax(z / tau). Biased; categorical nodes.
 * (The code's GST-p variant, whose gap is −log(1 − pi_D) / pi_D, is not built here.)
 */
export const gappedSt = defineEstimator({
  id: 'gapped-st',
  title: 'Gapped Straight-Through (GST-1.0)',
  citation: 'Fan, Chi, Rudnicky & Ramadge (2022), "Training Discrete Deep Generative Models via Gapped Straight-Through Estimator", ICML 2022 (PMLR 162:6059-6073); reference code github.com/chijames/GST, model/basic.py gst_mover',
  family: 'pathwise-surrogate',
  nodeKinds: ['categorical'],
  claimsUnbiased: false,
  params: {
    tau: { description: 'temperature of softmax(z / tau) in the backward pass', default: 1, minimum: 0, exclusiveMinimum: true },
    gap: { description: 'least lead of the sampled class over the others in the gapped logits z (GST-1.0: 1)', default: 1, minimum: 0 },
  },
  noise: [],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  kernels: noElementKernels,
  categoricalKernels: {
    exponentialsPerUnit: (_params, classes) => classes,
    forward: categoricalSample,
    unitForward: categoricalSampleUnit,
    gradient: function gappedStGradient(
      logits: ArrayLike<number>, hValues: ArrayLike<number>, dLdhValues: ArrayLike<number>,
      unitStart: number, hStart: number, classes: number, classIndex: number, tau: number, gap: number,
    ): number {
      let largest = logits[unitStart];
      for (let j = 1; j < classes; j++) largest = Math.max(largest, logits[unitStart + j]);
      // softmax(z / tau) with z − theta_max <= 0, so every weight is in (0, 1]; the sampled class's is 1.
      let total = 0;
      let weighted = 0;
      let own = 0;
      for (let k = 0; k < classes; k++) {
        let gapped = Math.min(logits[unitStart + k], largest - gap);
        if (hValues[hStart + k] > 0.5) gapped = largest;
        const weight = Math.exp((gapped - largest) / tau);
        total += weight;
        weighted += weight * dLdhValues[hStart + k];
        if (k === classIndex) own = weight;
      }
      return ((own / total) * (dLdhValues[hStart + classIndex] - weighted / total)) / tau;
    },
    unitGradient: function gappedStUnitGradient(
      logits: ArrayLike<number>, hValues: ArrayLike<number>, dLdhValues: ArrayLike<number>,
      unitStart: number, hStart: number, classes: number, tau: number, gap: number, out: Float64Array, outStart: number, scratch: Float64Array,
    ): void {
      // gradient's numbers (the same operations in the same order), with the weights (in scratch[0, K))
      // and their sums computed once per unit instead of once per class.
      let largest = logits[unitStart];
      for (let j = 1; j < classes; j++) largest = Math.max(largest, logits[unitStart + j]);
      let total = 0;
      let weighted = 0;
      for (let k = 0; k < classes; k++) {
        let gapped = Math.min(logits[unitStart + k], largest - gap);
        if (hValues[hStart + k] > 0.5) gapped = largest;
        const weight = Math.exp((gapped - largest) / tau);
        total += weight;
        weighted += weight * dLdhValues[hStart + k];
        scratch[k] = weight;
      }
      for (let k = 0; k < classes; k++) out[outStart + k] += ((scratch[k] / total) * (dLdhValues[hStart + k] - weighted / total)) / tau;
    },
  },
});
