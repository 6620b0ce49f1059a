import type { KernelFunction } from '../core/estimator.js';
import { hashSeed, Rng } from '../core/rng.js';
import { linspaceLogits } from './bernoulli-toy.js';
import { numericValues } from '../core/parameters.js';
import { defineSuite } from '../core/suite.js';

/** Largest D: the exact answers visit all 2^D states. */
const maxDim = 20;

/** f(b) = bᵀ A b + cᵀ b with A symmetric, D × D, stored row-major. */
export interface QuadraticObjective {
  readonly dim: number;
  readonly matrix: Float64Array;
  readonly linear: Float64Array;
}

/**
 * A and c from the stream of `objectiveSeed` (the harness's Rng): the upper triangle of A row by row
 * (diagonal included) mirrored below it, then c, every entry N(0, 1).
 */
export function drawQuadraticObjective(dim: number, objectiveSeed: number): QuadraticObjective {
  const rng = new Rng(hashSeed('bernoulli-quadratic', objectiveSeed));
  const matrix = new Float64Array(dim * dim);
  for (let row = 0; row < dim; row++) {
    for (let column = row; column < dim; column++) {
      const entry = rng.nextNormal();
      matrix[row * dim + column] = entry;
      matrix[column * dim + row] = entry;
    }
  }
  const linear = new Float64Array(dim);
  for (let unit = 0; unit < dim; unit++) linear[unit] = rng.nextNormal();
  return { dim, matrix, linear };
}

/**
 * E[f(b)] and dE[f]/dθ for independent bᵢ ~ Bernoulli(σ(θᵢ)), exactly, by a depth-first walk over all
 * 2^D states that deals unit d at depth d. Along the walk, f of the prefix and, for every later unit j,
 * its coupling to the prefix Σ_{i<d, bᵢ=1} A_ij are updated incrementally, so the walk costs O(2^D)
 * rather than O(D² 2^D). Each node returns E[f | prefix]; weighting the two children of depth d by the
 * prefix's probability and summing over the depth gives E[f | b_d = 1] and E[f | b_d = 0] (b_d is
 * independent of the prefix), and dE[f]/dθ_d = σ'(θ_d) (E[f | b_d = 1] − E[f | b_d = 0]).
 * Runs on the host: at D ≤ 20 that is at most about a million leaves.
 */
export function enumerateQuadratic(objective: QuadraticObjective, logits: Float64Array): { loss: number; gradient: Float64Array } {
  const { dim, matrix, linear } = objective;
  const probabilities = logits.map((theta) => 1 / (1 + Math.exp(-theta)));
  const onSums = new Float64Array(dim);
  const offSums = new Float64Array(dim);
  // couplings[d * dim + j], for j >= d: Σ over units i < d that are on in the current prefix of A_ij.
  const couplings = new Float64Array((dim + 1) * dim);
  const visit = (depth: number, prefixProbability: number, prefixValue: number): number => {
    if (depth === dim) return prefixValue;
    const here = depth * dim;
    const next = here + dim;
    const p = probabilities[depth];
    for (let unit = depth + 1; unit < dim; unit++) couplings[next + unit] = couplings[here + unit];
    const off = visit(depth + 1, prefixProbability * (1 - p), prefixValue);
    for (let unit = depth + 1; unit < dim; unit++) couplings[next + unit] = couplings[here + unit] + matrix[here + unit];
    const valueWhenOn = prefixValue + linear[depth] + matrix[here + depth] + 2 * couplings[here + depth];
    const on = visit(depth + 1, prefixProbability * p, valueWhenOn);
    offSums[depth] += prefixProbability * off;
    onSums[depth] += prefixProbability * on;
    return (1 - p) * off + p * on;
  };
  const loss = visit(0, 1, 0);
  const gradient = probabilities.map((p, unit) => p * (1 - p) * (onSums[unit] - offSums[unit]));
  return { loss, gradient };
}

/** A number as a source literal, parenthesised when negative so that it can follow any operator. */
function literal(value: number): string {
  return value < 0 ? `(${value})` : String(value);
}

/** Compiles generated source to a named function (the kernels' required shape), constants inlined. */
function namedKernel(source: string): KernelFunction {
  return new Function(`return ${source}`)() as KernelFunction;
}

/**
 * The objective's value and gradient as kernel functions generated with A and c inlined as literals:
 * gpu.js shaders cannot index a constant array with a runtime index, so the gradient 2 (A h)_e + c_e
 * is a chain over `element`, one branch per unit. Names carry D and the seed, so that problems with
 * different constants never share a function name on one device.
 */
function quadraticKernels(objective: QuadraticObjective, objectiveSeed: number): { value: KernelFunction; gradient: KernelFunction } {
  const { dim, matrix, linear } = objective;
  const units = Array.from({ length: dim }, (_, unit) => unit);
  const suffix = `D${dim}Seed${objectiveSeed}`;
  // f(h) = Σ_i h_i (c_i + A_ii h_i + 2 Σ_{j>i} A_ij h_j): each pair once; correct for continuous h too.
  const terms = units.map((i) => {
    const couplings = units.filter((j) => j > i).map((j) => `${literal(matrix[i * dim + j])} * h${j}`);
    const pairs = couplings.length > 0 ? ` + 2 * (${couplings.join(' + ')})` : '';
    return `h${i} * (${literal(linear[i])} + ${literal(matrix[i * dim + i])} * h${i}${pairs})`;
  });
  const value = `function bernoulliQuadraticValue${suffix}(h, row) {
    ${units.map((i) => `const h${i} = h[row][${i}];`).join('\n    ')}
    return ${terms.join('\n      + ')};
  }`;
  const rowGradient = (i: number) =>
    `${literal(linear[i])} + 2 * (${units.map((j) => `${literal(matrix[i * dim + j])} * h[row][${j}]`).join(' + ')})`;
  const branches = units.slice(0, -1).map((i) => `if (element < ${i + 0.5}) return ${rowGradient(i)};`);
  const gradient = `function bernoulliQuadraticGradient${suffix}(h, row, element) {
    ${branches.join('\n    ')}
    return ${rowGradient(dim - 1)};
  }`;
  return { value: namedKernel(value), gradient: namedKernel(gradient) };
}

/**
 * Units that interact: f(b) = bᵀ A b + cᵀ b over D Bernoulli(σ(θᵢ)) units, A symmetric and c with
 * N(0, 1) entries drawn from `objectiveSeed`, starting at θ = linspace(−2, 2, D) like bernoulli-toy.
 * The exact loss and gradient enumerate all 2^D states on the host (reference kind: enumeration).
 * A (row-major, D × D) and c are recorded in `recordedParams`.
 */
export const bernoulliQuadratic = defineSuite({
  id: 'bernoulli-quadratic',
  title: 'Bernoulli quadratic: bᵀAb + cᵀb',
  description: 'D interacting Bernoulli(sigmoid(theta_i)) units, theta = linspace(-2, 2, D), f(b) = b^T A b + c^T b, A and c ~ N(0, 1) from objectiveSeed; exact by enumerating 2^D states',
  nodeKind: 'bernoulli',
  referenceKinds: ['enumeration'],
  params: {
    dim: { description: `number of Bernoulli units D (the exact answers enumerate 2^D states)`, default: 12, minimum: 1, maximum: maxDim, integer: true },
    objectiveSeed: { description: 'seed of the N(0, 1) entries of A and c', default: 1, minimum: 0, maximum: 2 ** 31 - 1, integer: true },
  },
  create(params) {
    const { dim, objectiveSeed } = numericValues(params);
    const objective = drawQuadraticObjective(dim, objectiveSeed);
    const kernels = quadraticKernels(objective, objectiveSeed);
    return {
      dim,
      nodeKind: 'bernoulli',
      initialLogits: linspaceLogits(dim),
      objective: { value: kernels.value, gradient: kernels.gradient, constants: {} },
      exactGradient: (logits) => enumerateQuadratic(objective, logits).gradient,
      referenceKind: 'enumeration',
      exactLoss: (logits) => enumerateQuadratic(objective, logits).loss,
      recordedParams: { A: Array.from(objective.matrix), c: Array.from(objective.linear) },
    };
  },
});
