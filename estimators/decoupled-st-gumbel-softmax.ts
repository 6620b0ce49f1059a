import { defineEstimator, noElementKernels } from '../core/estimator.js';

/**
 * The exponential-race weight r_j = exp((theta_j − theta_max) / tauForward) / E_j of class j: the
 * Gumbel-max sample of softmax(theta / tauForward) is argmax_j r_j (G_j = −log E_j), and the relaxed
 * y = softmax((theta / tauForward + G) / tauBackward) is proportional to r_j^(1 / tauBackward).
 */
function decoupledRaceWeight(logit: number, exponential: number, largestLogit: number, tauForward: number): number {
  return Math.exp((logit - largestLogit) / tauForward) / exponential;
}

/**
 * Decoupled straight-through Gumbel-softmax: straight-through Gumbel-softmax with the temperature of
 * the forward pass (how random the hard sample is) and that of the backward pass (how the relaxation
 * spreads the gradient over the classes) set apart. Forward: the one-hot D = onehot(argmax(theta / tauForward
 * + G)), G i.i.d. Gumbel(0, 1), a sample of Categorical(softmax(theta / tauForward)); backward: the
 * Jacobian of y = softmax((theta / tauForward + G) / tauBackward), the same G, applied to dL/dD:
 * dL/dtheta_j = y_j (dL/dD_j − y · dL/dD) / (tauForward · tauBackward).
 * At tauForward = 1 it is `st-gumbel-softmax` with tau = tauBackward. Biased; categorical nodes.
 *
 * What was checked of the paper: its abstract (arXiv:2410.13331 v1 and v2) states the separate forward
 * and backward temperatures and that the forward one sets the forward pass's stochasticity; its method
 * section was not reachable from here, so the placement of tauForward (scaling the logits before the
 * Gumbel-max sample, since a temperature applied after adding G leaves the argmax unchanged) is this
 * project's reading of that statement.
 */
export const decoupledStGumbelSoftmax = defineEstimator({
  id: 'decoupled-st-gumbel-softmax',
  title: 'Decoupled straight-through Gumbel-softmax',
  citation: 'Shah, Yan, Mozer & Liu (2024), "Improving Discrete Optimisation Via Decoupled Straight-Through Gumbel-Softmax", arXiv:2410.13331',
  family: 'pathwise-surrogate',
  nodeKinds: ['categorical'],
  claimsUnbiased: false,
  params: {
    tauForward: { description: 'forward temperature: the hard sample is drawn from softmax(theta / tauForward)', default: 1, minimum: 0, exclusiveMinimum: true },
    tauBackward: { description: 'backward temperature of the relaxation whose Jacobian carries the gradient', default: 0.5, minimum: 0, exclusiveMinimum: true },
  },
  noise: [],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  kernels: noElementKernels,
  categoricalKernels: {
    exponentialsPerUnit: (_params, classes) => classes,
    helpers: [decoupledRaceWeight],
    forward: function decoupledStGumbelSoftmaxForward(
      logits: ArrayLike<number>, exponentials: ArrayLike<number>, unitStart: number, noiseStart: number, classes: number, classIndex: number, tauForward: number,
    ): number {
      let largestLogit = logits[unitStart];
      for (let j = 1; j < classes; j++) largestLogit = Math.max(largestLogit, logits[unitStart + j]);
      let winner = 0;
      let best = decoupledRaceWeight(logits[unitStart + 0], exponentials[noiseStart + 0], largestLogit, tauForward);
      for (let k = 1; k < classes; k++) {
        const weight = decoupledRaceWeight(logits[unitStart + k], exponentials[noiseStart + k], largestLogit, tauForward);
        if (weight > best) {
          best = weight;
          winner = k;
        }
      }
      return winner === classIndex ? 1 : 0;
    },
    gradient: function decoupledStGumbelSoftmaxGradient(
      logits: ArrayLike<number>, exponentials: ArrayLike<number>, dLdhValues: ArrayLike<number>,
      unitStart: number, noiseStart: number, hStart: number, classes: number, classIndex: number, tauForward: number, tauBackward: number,
    ): number {
      let largestLogit = logits[unitStart];
      for (let j = 1; j < classes; j++) largestLogit = Math.max(largestLogit, logits[unitStart + j]);
      let largest = decoupledRaceWeight(logits[unitStart + 0], exponentials[noiseStart + 0], largestLogit, tauForward);
      for (let m = 1; m < classes; m++) largest = Math.max(largest, decoupledRaceWeight(logits[unitStart + m], exponentials[noiseStart + m], largestLogit, tauForward));
      const inverseTau = 1 / tauBackward;
      let total = 0;
      let weighted = 0;
      let own = 0;
      for (let k = 0; k < classes; k++) {
        const ratio = decoupledRaceWeight(logits[unitStart + k], exponentials[noiseStart + k], largestLogit, tauForward) / largest;
        const weight = inverseTau === Math.floor(inverseTau) ? Math.pow(ratio, inverseTau) : Math.exp(Math.log(ratio) * inverseTau);
        total += weight;
        weighted += weight * dLdhValues[hStart + k];
        if (k === classIndex) own = weight;
      }
      return ((own / total) * (dLdhValues[hStart + classIndex] - weighted / total)) / (tauForward * tauBackward);
    },
    unitForward: function decoupledStGumbelSoftmaxUnitForward(
      logits: ArrayLike<number>, exponentials: ArrayLike<number>, unitStart: number, noiseStart: number, classes: number, tauForward: number,
      out: Float64Array, outStart: number,
    ): void {
      // forward's race, run once for the unit.
      let largestLogit = logits[unitStart];
      for (let j = 1; j < classes; j++) largestLogit = Math.max(largestLogit, logits[unitStart + j]);
      let winner = 0;
      let best = decoupledRaceWeight(logits[unitStart], exponentials[noiseStart], largestLogit, tauForward);
      for (let k = 1; k < classes; k++) {
        const weight = decoupledRaceWeight(logits[unitStart + k], exponentials[noiseStart + k], largestLogit, tauForward);
        if (weight > best) {
          best = weight;
          winner = k;
        }
      }
      for (let k = 0; k < classes; k++) out[outStart + k] = k === winner ? 1 : 0;
    },
    unitGradient: function decoupledStGumbelSoftmaxUnitGradient(
      logits: ArrayLike<number>, exponentials: ArrayLike<number>, dLdhValues: ArrayLike<number>,
      unitStart: number, noiseStart: number, hStart: number, classes: number, tauForward: number, tauBackward: number,
      out: Float64Array, outStart: number, scratch: Float64Array,
    ): void {
      // gradient's numbers, with the race weights (scratch[K, 2K)), the relaxed weights (scratch[0, K)) and
      // the weighted mean of dL/dh computed once for the unit.
      let largestLogit = logits[unitStart];
      for (let j = 1; j < classes; j++) largestLogit = Math.max(largestLogit, logits[unitStart + j]);
      for (let j = 0; j < classes; j++) scratch[classes + j] = decoupledRaceWeight(logits[unitStart + j], exponentials[noiseStart + j], largestLogit, tauForward);
      let largest = scratch[classes];
      for (let m = 1; m < classes; m++) largest = Math.max(largest, scratch[classes + m]);
      const inverseTau = 1 / tauBackward;
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
      for (let k = 0; k < classes; k++) out[outStart + k] += ((scratch[k] / total) * (dLdhValues[hStart + k] - meanGradient)) / (tauForward * tauBackward);
    },
  },
});
