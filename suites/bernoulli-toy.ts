import { defineSuite } from './suite.js';

function toyObjectiveValue(h: number[][], row: number, dim: number, target: number): number {
  let total = 0;
  for (let element = 0; element < dim; element++) {
    const difference = h[row][element] - target;
    total += difference * difference;
  }
  return total;
}

function toyObjectiveGradient(h: number[][], row: number, element: number, dim: number, target: number): number {
  return 2 * (h[row][element] - target);
}

/** Evenly spaced logits from -2 to 2 (a single unit sits at 0). */
function linspaceLogits(dim: number): Float64Array {
  const logits = new Float64Array(dim);
  for (let index = 0; index < dim; index++) logits[index] = dim === 1 ? 0 : -2 + (4 * index) / (dim - 1);
  return logits;
}

/**
 * D independent Bernoulli units, f(b) = sum_i (b_i - t)^2. With p = sigmoid(theta):
 * E[f] = sum_i p_i (1 - t)^2 + (1 - p_i) t^2 and dE[f]/dtheta_i = p_i (1 - p_i) (1 - 2t).
 */
export const bernoulliToy = defineSuite({
  id: 'bernoulli-toy',
  title: 'Bernoulli toy: sum of (b_i - t)^2',
  description: 'D independent Bernoulli(sigmoid(theta_i)) units, theta = linspace(-2, 2, D), f(b) = sum_i (b_i - t)^2',
  nodeKind: 'bernoulli',
  params: {
    dim: { description: 'number of Bernoulli units D', default: 16, minimum: 1, maximum: 1 << 16, integer: true },
    t: { description: 'target value t in (b_i - t)^2', default: 0.45 },
  },
  create(params) {
    const { dim, t } = params;
    return {
      dim,
      nodeKind: 'bernoulli',
      initialLogits: linspaceLogits(dim),
      objective: { value: toyObjectiveValue, gradient: toyObjectiveGradient, constants: { target: t }, separable: true },
      exactGradient(logits) {
        return logits.map((theta) => {
          const p = 1 / (1 + Math.exp(-theta));
          return p * (1 - p) * (1 - 2 * t);
        });
      },
      exactLoss(logits) {
        let loss = 0;
        for (const theta of logits) {
          const p = 1 / (1 + Math.exp(-theta));
          loss += p * (1 - t) ** 2 + (1 - p) * t ** 2;
        }
        return loss;
      },
    };
  },
});
