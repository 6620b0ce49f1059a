import { numericValues } from '../core/parameters.js';
import { defineSuite } from '../core/suite.js';

// Power 2 keeps today's expressions ((h - t)^2 and 2 (h - t)), so existing numbers are reproduced exactly.
function toyObjectiveValue(h: number[][], row: number, dim: number, target: number, power: number): number {
  let total = 0;
  for (let element = 0; element < dim; element++) {
    const difference = h[row][element] - target;
    total += power === 2 ? difference * difference : Math.pow(Math.abs(difference), power);
  }
  return total;
}

function toyObjectiveGradient(h: number[][], row: number, element: number, target: number, power: number): number {
  const difference = h[row][element] - target;
  if (power === 2) return 2 * difference;
  // Guarded so that pow(0, 0) (power 1) and 0 * Infinity (power < 2 at h = t) never arise.
  if (difference === 0) return 0;
  const magnitude = power * Math.pow(Math.abs(difference), power - 1);
  return difference > 0 ? magnitude : -magnitude;
}

/** Evenly spaced logits from -2 to 2 (a single unit sits at 0); the toy suites' documented start. */
export function linspaceLogits(dim: number): Float64Array {
  const logits = new Float64Array(dim);
  for (let index = 0; index < dim; index++) logits[index] = dim === 1 ? 0 : -2 + (4 * index) / (dim - 1);
  return logits;
}

/**
 * D independent Bernoulli units, f(b) = sum_i |b_i - t|^power (the polynomial-programming objective of
 * the ReinMax paper; power 2 is the classic sum of (b_i - t)^2). With p = sigmoid(theta):
 * E[f] = sum_i p_i |1 - t|^power + (1 - p_i) |t|^power and
 * dE[f]/dtheta_i = p_i (1 - p_i) (|1 - t|^power - |t|^power), which is p_i (1 - p_i) (1 - 2t) at power 2.
 */
export const bernoulliToy = defineSuite({
  id: 'bernoulli-toy',
  title: 'Bernoulli toy: sum of |b_i - t|^power',
  description: 'D independent Bernoulli(sigmoid(theta_i)) units, theta = linspace(-2, 2, D), f(b) = sum_i |b_i - t|^power',
  nodeKind: 'bernoulli',
  referenceKinds: ['closed-form'],
  params: {
    dim: { description: 'number of Bernoulli units D', default: 16, minimum: 1, maximum: 1 << 16, integer: true },
    t: { description: 'target value t in |b_i - t|^power', default: 0.45 },
    power: { description: 'exponent of |b_i - t| (2: squared error)', default: 2, minimum: 1 },
  },
  create(params) {
    const { dim, t, power } = numericValues(params);
    const lossAtOne = Math.abs(1 - t) ** power;
    const lossAtZero = Math.abs(t) ** power;
    return {
      dim,
      nodeKind: 'bernoulli',
      initialLogits: linspaceLogits(dim),
      objective: { value: toyObjectiveValue, gradient: toyObjectiveGradient, constants: { target: t, power }, separable: true },
      exactGradient(logits) {
        const difference = power === 2 ? 1 - 2 * t : lossAtOne - lossAtZero;
        return logits.map((theta) => {
          const p = 1 / (1 + Math.exp(-theta));
          return p * (1 - p) * difference;
        });
      },
      exactLoss(logits) {
        let loss = 0;
        for (const theta of logits) {
          const p = 1 / (1 + Math.exp(-theta));
          loss += p * lossAtOne + (1 - p) * lossAtZero;
        }
        return loss;
      },
    };
  },
});
