import { defineEstimator } from '../core/estimator.js';

/**
 * Binary Concrete relaxation: h = sigmoid((theta + log u - log(1 - u)) / tau); the objective is
 * evaluated at the relaxed h and the gradient flows through it: dh/dtheta = h (1 - h) / tau.
 * On categorical nodes, the Concrete / Gumbel-softmax relaxation of the one-hot sample:
 * y = softmax((theta + G) / tau), G i.i.d. Gumbel(0, 1) (computed as y_j ∝ (pi_j / E_j)^(1/tau), E = exp(-G)),
 * and dL/dtheta_j = (1/tau) y_j (dL/dy_j - y . dL/dy).
 */
export const gumbelSoftmax = defineEstimator({
  id: 'gumbel-softmax',
  title: 'Gumbel-softmax / binary Concrete',
  citation: 'Jang, Gu & Poole (2016), arXiv:1611.01144; Maddison, Mnih & Teh (2016), arXiv:1611.00712',
  family: 'relaxation',
  nodeKinds: ['bernoulli', 'categorical'],
  claimsUnbiased: false,
  params: {
    tau: { description: 'relaxation temperature (lower: closer to hard samples, noisier gradients)', default: 0.5, minimum: 0, exclusiveMinimum: true },
  },
  noise: ['uniform'],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  kernels: {
    forward: function gumbelSoftmaxForward(theta: number, p: number, u: number, v: number, evaluation: number, tau: number): number {
      // sigmoid((theta + log(u / (1 - u))) / tau) = 1 / (1 + r^(1/tau)) with r = exp(-theta) (1 - u) / u
      // = (1 - p)(1 - u) / (p u): no exp or log per element, and for integer 1/tau (the default
      // tau = 0.5 among them) no pow through exp/log either.
      const ratio = ((1 - p) * (1 - u)) / (p * u);
      const inverseTau = 1 / tau;
      const power = inverseTau === Math.floor(inverseTau) ? Math.pow(ratio, inverseTau) : Math.exp(Math.log(ratio) * inverseTau);
      return 1 / (1 + power);
    },
    gradient: function gumbelSoftmaxGradient(
      theta: number, p: number, u: number, v: number, h: number, dLdh: number,
      objective: number, objectiveSum: number, baseline: number, evaluation: number, tau: number,
    ): number {
      return (dLdh * h * (1 - h)) / tau;
    },
  },
  categoricalKernels: {
    exponentialsPerUnit: (_params, classes) => classes,
    forward: function gumbelSoftmaxCategoricalForward(
      probabilities: ArrayLike<number>, exponentials: ArrayLike<number>, unitStart: number, noiseStart: number,
      classes: number, classIndex: number, tau: number,
    ): number {
      // softmax((theta + G) / tau)_j is proportional to (pi_j / E_j)^(1/tau) (E = exp(-G)); scaled by the
      // largest ratio, each weight is in (0, 1]. A whole 1/tau (the default tau = 0.5 among them) needs no exp or log.
      let largest = probabilities[unitStart] / exponentials[noiseStart];
      for (let j = 1; j < classes; j++) largest = Math.max(largest, probabilities[unitStart + j] / exponentials[noiseStart + j]);
      const inverseTau = 1 / tau;
      let total = 0;
      let own = 0;
      for (let k = 0; k < classes; k++) {
        const ratio = probabilities[unitStart + k] / exponentials[noiseStart + k] / largest;
        const weight = inverseTau === Math.floor(inverseTau) ? Math.pow(ratio, inverseTau) : Math.exp(Math.log(ratio) * inverseTau);
        total += weight;
        if (k === classIndex) own = weight;
      }
      return own / total;
    },
    gradient: function gumbelSoftmaxCategoricalGradient(
      hValues: ArrayLike<number>, dLdhValues: ArrayLike<number>, hStart: number, classes: number, classIndex: number, tau: number,
    ): number {
      // h is the relaxed sample y itself: the softmax Jacobian needs nothing else.
      let weighted = 0;
      for (let j = 0; j < classes; j++) weighted += hValues[hStart + j] * dLdhValues[hStart + j];
      return (hValues[hStart + classIndex] * (dLdhValues[hStart + classIndex] - weighted)) / tau;
    },
    unitForward: function gumbelSoftmaxCategoricalUnitForward(
      probabilities: ArrayLike<number>, exponentials: ArrayLike<number>, unitStart: number, noiseStart: number,
      classes: number, tau: number, out: Float64Array, outStart: number,
    ): void {
      // forward's numbers, with the ratios pi_j / E_j and the weights computed once for the unit (kept in
      // out until the normaliser is known).
      for (let j = 0; j < classes; j++) out[outStart + j] = probabilities[unitStart + j] / exponentials[noiseStart + j];
      let largest = out[outStart];
      for (let j = 1; j < classes; j++) largest = Math.max(largest, out[outStart + j]);
      const inverseTau = 1 / tau;
      let total = 0;
      for (let k = 0; k < classes; k++) {
        const ratio = out[outStart + k] / largest;
        const weight = inverseTau === Math.floor(inverseTau) ? Math.pow(ratio, inverseTau) : Math.exp(Math.log(ratio) * inverseTau);
        total += weight;
        out[outStart + k] = weight;
      }
      for (let k = 0; k < classes; k++) out[outStart + k] = out[outStart + k] / total;
    },
    unitGradient: function gumbelSoftmaxCategoricalUnitGradient(
      hValues: ArrayLike<number>, dLdhValues: ArrayLike<number>, hStart: number, classes: number, tau: number, out: Float64Array, outStart: number,
    ): void {
      let weighted = 0;
      for (let j = 0; j < classes; j++) weighted += hValues[hStart + j] * dLdhValues[hStart + j];
      for (let k = 0; k < classes; k++) out[outStart + k] += (hValues[hStart + k] * (dLdhValues[hStart + k] - weighted)) / tau;
    },
  },
});
