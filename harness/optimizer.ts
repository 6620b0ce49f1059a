import type { OptimizerId } from '../core/types.js';

const adamBeta1 = 0.9;
const adamBeta2 = 0.999;
const adamEpsilon = 1e-8;

/** An optimizer's state for one parameter vector: `update` moves the parameters in place. */
export interface Optimizer {
  /** One step (counted from 1) against `gradient`, in place on `params`. */
  update(params: Float64Array, gradient: Float64Array, step: number): void;
}

/**
 * Adam's update as one pass over the typed arrays, float64, in its own small function (inside the
 * async training loop V8 ran the same loop slower and slower over a run). The step is PyTorch's
 * arrangement of the arithmetic: step size lr / (1 − β1^t) and √v · (1 / √(1 − β2^t)) + ε computed
 * once per step, leaving one division and one square root per parameter instead of three divisions
 * and a square root. The pass is bound by those (no vector instructions in JavaScript): 2.6–2.8 ms
 * before and 1.4–1.6 ms after on 269 322 parameters, on the shared 2-core machine (fastest of 200
 * steps). The update is the same to rounding; the parameters a seed trains to differ from the earlier
 * arrangement's in the last bits, and from there on as training amplifies them (docs/measurements/2026-12-07-network-step-quiet.md).
 */
function adamUpdate(
  params: Float64Array, gradient: Float64Array, firstMoment: Float64Array, secondMoment: Float64Array,
  stepSize: number, rootCorrection: number,
): void {
  for (let index = 0; index < params.length; index++) {
    const g = gradient[index];
    const first = adamBeta1 * firstMoment[index] + (1 - adamBeta1) * g;
    const second = adamBeta2 * secondMoment[index] + (1 - adamBeta2) * g * g;
    firstMoment[index] = first;
    secondMoment[index] = second;
    params[index] -= (stepSize * first) / (Math.sqrt(second) * rootCorrection + adamEpsilon);
  }
}

function sgdUpdate(params: Float64Array, gradient: Float64Array, learningRate: number): void {
  for (let index = 0; index < params.length; index++) params[index] -= learningRate * gradient[index];
}

/** Adam (β1 0.9, β2 0.999, ε 1e-8, bias-corrected) or plain SGD over `length` parameters. */
export function createOptimizer(id: OptimizerId, learningRate: number, length: number): Optimizer {
  if (id === 'sgd') return { update: (params, gradient) => sgdUpdate(params, gradient, learningRate) };
  const firstMoment = new Float64Array(length);
  const secondMoment = new Float64Array(length);
  return {
    update(params, gradient, step) {
      adamUpdate(params, gradient, firstMoment, secondMoment, learningRate / (1 - adamBeta1 ** step), 1 / Math.sqrt(1 - adamBeta2 ** step));
    },
  };
}
