// A suite plug-in written in JavaScript: D Bernoulli units whose weighted sum should hit a target,
// f(b) = (sum_i w_i b_i - y)^2 with w_i = (i + 1) / D. Unlike bernoulli-toy the objective couples the
// units (dL/dh of one unit reads the whole row), and its exact gradient has a closed form:
//   with p = sigmoid(theta) and S = sum_i w_i b_i,  E[f] = sum_i w_i^2 p_i (1 - p_i) + (sum_i w_i p_i - y)^2
//   dE[f]/dtheta_i = p_i (1 - p_i) * (w_i^2 (1 - 2 p_i) + 2 w_i (sum_j w_j p_j - y)).
// Run it:  npm run bench -- --plugin examples/plugins/weighted-sum-suite.js --suite weighted-sum --backend cpu
// test/scripts/examples.test.ts runs it and holds the unbiased estimators to this exact gradient.

/** w_i of element i of D; a kernel helper, so it is a named function the kernels call by name. */
function unitWeight(element, dim) {
  return (element + 1) / dim;
}

/** L of one row of h (rows are samples): the squared miss of the weighted sum. */
function weightedSumValue(h, row, dim, target) {
  let sum = 0;
  for (let element = 0; element < dim; element++) sum += unitWeight(element, dim) * h[row][element];
  return (sum - target) * (sum - target);
}

/** dL/dh of one element of one row: 2 w_e (S − y), which reads the whole row. */
function weightedSumGradient(h, row, element, dim, target) {
  let sum = 0;
  for (let other = 0; other < dim; other++) sum += unitWeight(other, dim) * h[row][other];
  return 2 * unitWeight(element, dim) * (sum - target);
}

const sigmoid = (theta) => 1 / (1 + Math.exp(-theta));

export const weightedSum = {
  id: 'weighted-sum',
  title: 'Weighted sum of Bernoulli units against a target',
  description: 'D Bernoulli units, theta = linspace(-2, 2, D), f(b) = (sum_i w_i b_i - y)^2 with w_i = (i + 1) / D',
  nodeKind: 'bernoulli',
  referenceKinds: ['closed-form'],
  params: {
    dim: { description: 'number of Bernoulli units D', default: 8, minimum: 1, maximum: 4096, integer: true },
    target: { description: 'target y of the weighted sum', default: 2 },
  },
  create(params) {
    const { dim, target } = params;
    const weights = Array.from({ length: dim }, (_, element) => unitWeight(element, dim));
    const initialLogits = Float64Array.from({ length: dim }, (_, index) => (dim === 1 ? 0 : -2 + (4 * index) / (dim - 1)));
    const expectedSum = (logits) => logits.reduce((total, theta, index) => total + weights[index] * sigmoid(theta), 0);
    return {
      dim,
      nodeKind: 'bernoulli',
      initialLogits,
      // `target` is bound into the kernels by name; `helpers` lists the functions they call.
      objective: { value: weightedSumValue, gradient: weightedSumGradient, constants: { target }, helpers: [unitWeight] },
      exactGradient(logits) {
        const miss = expectedSum(logits) - target;
        return logits.map((theta, index) => {
          const p = sigmoid(theta);
          return p * (1 - p) * (weights[index] * weights[index] * (1 - 2 * p) + 2 * weights[index] * miss);
        });
      },
      exactLoss(logits) {
        const spread = logits.reduce((total, theta, index) => total + weights[index] ** 2 * sigmoid(theta) * (1 - sigmoid(theta)), 0);
        return spread + (expectedSum(logits) - target) ** 2;
      },
    };
  },
};
