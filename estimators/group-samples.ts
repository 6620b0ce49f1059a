import { categoricalSample, categoricalSampleUnit } from './categorical-sample.js';
import { noElementKernels, type EstimatorDefinition, type KernelFunction } from '../core/estimator.js';
import type { NumberParameterSpec } from '../core/parameters.js';
import { hardBernoulliSample } from './hard-bernoulli-sample.js';

/** The group size k of the group estimators (REINFORCE-LOO, GRPO, Dr. GRPO; VIMCO names its own). */
export const groupSizeParameter: NumberParameterSpec = {
  // The GPU backend needs k × 1024 texture rows (16 384 rows allow k ≤ 16 under headless-gl).
  description: 'independent samples per estimate, each one objective evaluation (k >= 2)', default: 4, minimum: 2, maximum: 64, integer: true,
};

/**
 * What the group estimators (and VIMCO) share: k independent samples of the node per estimate (one objective
 * evaluation each, each from its own noise), the true sample forward, and a per-element `gradient`
 * rule of (h − p) times an advantage, which serves both node kinds (on categorical nodes h is the
 * one-hot entry and p the class probability, so h − p is the score). `onBernoulli` false gives
 * categorical kernels only.
 */
export function groupSampleFields(gradient: KernelFunction, onBernoulli: boolean): Pick<
  EstimatorDefinition, 'family' | 'noise' | 'evaluations' | 'noisePerEvaluation' | 'needs' | 'kernels' | 'categoricalKernels'
> {
  return {
    family: 'score-function',
    noise: ['uniform'],
    evaluations: (params) => Number(params.k),
    noisePerEvaluation: true,
    needs: { objective: true, objectiveGradient: false },
    kernels: onBernoulli ? { forward: hardBernoulliSample, gradient } : noElementKernels,
    categoricalKernels: {
      exponentialsPerUnit: (_params, classes) => classes,
      forward: categoricalSample,
      gradient,
      // The gradient is per element already (no unit sums): only the sample has a unit form.
      unitForward: categoricalSampleUnit,
    },
  };
}
