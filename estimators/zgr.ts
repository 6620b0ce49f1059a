import { defineEstimator } from '../core/estimator.js';
import { categoricalSample, categoricalSampleUnit } from './categorical-sample.js';
import { hardBernoulliSample } from './hard-bernoulli-sample.js';

/**
 * ZGR, the "zero-temperature Gumbel-Rao" estimator: the limit of Gumbel-Rao as tau → 0, in closed form,
 * the average of the straight-through and the DARN (score-function-like) Jacobians. Forward, a true
 * sample (b ~ Bernoulli(p), or the one-hot D ~ Categorical(softmax(theta))); backward, with g = dL/dh:
 * - Bernoulli: dL/dtheta = g · (b (1 − p) + (1 − b) p) / 2 (DARN(½));
 * - categorical, sampled class x: dL/dtheta_k = ½ p_k (g_k − g_x) − ½ [k = x] (p · g − g_x).
 * Biased in general; no temperature and one evaluation.
 */
export const zgr = defineEstimator({
  id: 'zgr',
  title: 'ZGR (Gumbel-Rao at zero temperature)',
  citation: 'Shekhovtsov (2023), "Cold analysis of Rao-Blackwellized straight-through Gumbel-softmax gradient estimator", ICML, arXiv:2310.03855',
  family: 'pathwise-surrogate',
  nodeKinds: ['bernoulli', 'categorical'],
  claimsUnbiased: false,
  params: {},
  noise: ['uniform'],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  kernels: {
    forward: hardBernoulliSample,
    gradient: function zgrBernoulliGradient(p: number, h: number, dLdh: number): number {
      return dLdh * (h * (1 - p) + (1 - h) * p) * 0.5;
    },
  },
  categoricalKernels: {
    exponentialsPerUnit: (_params, classes) => classes,
    forward: categoricalSample,
    gradient: function zgrCategoricalGradient(
      probabilities: ArrayLike<number>, hValues: ArrayLike<number>, dLdhValues: ArrayLike<number>,
      unitStart: number, hStart: number, classes: number, p: number, h: number, dLdh: number,
    ): number {
      // g_x (h is one-hot) and p · g, without a branch on the sampled class.
      let sampled = 0;
      let mean = 0;
      for (let j = 0; j < classes; j++) {
        sampled += hValues[hStart + j] * dLdhValues[hStart + j];
        mean += probabilities[unitStart + j] * dLdhValues[hStart + j];
      }
      return 0.5 * (p * (dLdh - sampled) - h * (mean - sampled));
    },
    unitForward: categoricalSampleUnit,
    unitGradient: function zgrCategoricalUnitGradient(
      probabilities: ArrayLike<number>, hValues: ArrayLike<number>, dLdhValues: ArrayLike<number>,
      unitStart: number, hStart: number, classes: number, out: Float64Array, outStart: number,
    ): void {
      // The element kernel's numbers, with the two sums it repeats per class computed once per unit.
      let sampled = 0;
      let mean = 0;
      for (let j = 0; j < classes; j++) {
        sampled += hValues[hStart + j] * dLdhValues[hStart + j];
        mean += probabilities[unitStart + j] * dLdhValues[hStart + j];
      }
      for (let k = 0; k < classes; k++) {
        out[outStart + k] += 0.5 * (probabilities[unitStart + k] * (dLdhValues[hStart + k] - sampled) - hValues[hStart + k] * (mean - sampled));
      }
    },
  },
});
