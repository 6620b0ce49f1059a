import { nodeProbabilities } from '../core/node-kinds.js';
import { numericValues } from '../core/parameters.js';
import { defineSuite } from '../core/suite.js';

/**
 * Starting logits, unit-major: unit i's K logits rise evenly from -s_i to s_i,
 * theta_{i,k} = s_i (2k / (K - 1) - 1) with s = linspace(-2, 2, D) (a single unit has s = 0, uniform).
 * Units below the middle favour the first classes, units above it the last ones.
 */
export function categoricalToyLogits(units: number, classes: number): Float64Array {
  const logits = new Float64Array(units * classes);
  for (let unit = 0; unit < units; unit++) {
    const spread = units === 1 ? 0 : -2 + (4 * unit) / (units - 1);
    for (let k = 0; k < classes; k++) logits[unit * classes + k] = spread * ((2 * k) / (classes - 1) - 1);
  }
  return logits;
}

/**
 * Targets c_i, points of the probability simplex: weight t on class (i mod K), (1 - t) / (K - 1) on
 * every other class. t = 1 makes them one-hot; t = 1/K uniform (then every gradient is 0).
 */
export function categoricalToyTargets(units: number, classes: number, t: number): Float64Array {
  const targets = new Float64Array(units * classes).fill((1 - t) / (classes - 1));
  for (let unit = 0; unit < units; unit++) targets[unit * classes + (unit % classes)] = t;
  return targets;
}

/** Weight of element (unit · K + class) in its unit's target: t on class (unit mod K), (1 − t) / (K − 1) on the others. */
function categoricalToyTarget(element: number, classes: number, t: number): number {
  const unit = Math.floor(element / classes);
  return element - unit * classes === unit % classes ? t : (1 - t) / (classes - 1);
}

function categoricalToyObjectiveValue(h: number[][], row: number, dim: number, classes: number, t: number): number {
  let total = 0;
  for (let index = 0; index < dim; index++) {
    const difference = h[row][index] - categoricalToyTarget(index, classes, t);
    total += difference * difference;
  }
  return total;
}

function categoricalToyObjectiveGradient(h: number[][], row: number, element: number, classes: number, t: number): number {
  return 2 * (h[row][element] - categoricalToyTarget(element, classes, t));
}

/**
 * D independent categorical units of K classes, x_i one-hot ~ Categorical(pi_i), pi_i = softmax(theta_i);
 * f(x) = Σᵢ ‖xᵢ − cᵢ‖². A one-hot x has ‖x‖² = 1, so ‖x − c‖² = 1 − 2 c_x + ‖c‖² and
 * E[f] = Σᵢ (1 − 2 piᵢ·cᵢ + ‖cᵢ‖²); with d pi_{ik} / d theta_{ij} = pi_{ik} (δ_kj − pi_{ij}),
 * dE[f]/dtheta_{ij} = −2 pi_{ij} (c_{ij} − piᵢ·cᵢ). Relaxed estimators evaluate f at their relaxed
 * x in the simplex with df/dx = 2 (x − c). A kernel problem: the CPU backend fuses it into one loop,
 * the GPU backend runs it as stages (harness/kernel-problem-stages.ts), with the same noise.
 */
export const categoricalToy = defineSuite({
  id: 'categorical-toy',
  title: 'Categorical toy: sum of ‖x_i − c_i‖²',
  description: 'D independent categorical units of K classes, logits rising from -s_i to s_i (s = linspace(-2, 2, D)), f(x) = Σ ‖x_i − c_i‖², c_i = t on class i mod K and (1 − t)/(K − 1) elsewhere',
  nodeKind: 'categorical',
  referenceKinds: ['closed-form'],
  params: {
    dim: { description: 'number of categorical units D', default: 8, minimum: 1, maximum: 4096, integer: true },
    classes: { description: 'classes per unit K', default: 6, minimum: 2, maximum: 256, integer: true },
    t: { description: 'weight of the target class (i mod K) in c_i; the rest is spread evenly', default: 0.8, minimum: 0, maximum: 1 },
  },
  create(params) {
    const { dim: units, classes, t } = numericValues(params);
    const width = units * classes;
    const targets = categoricalToyTargets(units, classes, t);
    return {
      dim: width,
      classes,
      nodeKind: 'categorical',
      initialLogits: categoricalToyLogits(units, classes),
      objective: {
        value: categoricalToyObjectiveValue, gradient: categoricalToyObjectiveGradient, helpers: [categoricalToyTarget],
        constants: { classes, t }, separable: true,
      },
      recordedParams: { targets: Array.from(targets) },
      exactGradient(logits) {
        const probabilities = nodeProbabilities('categorical', logits, classes);
        const gradient = new Float64Array(width);
        for (let start = 0; start < width; start += classes) {
          let expectedTarget = 0;
          for (let k = 0; k < classes; k++) expectedTarget += probabilities[start + k] * targets[start + k];
          for (let k = 0; k < classes; k++) gradient[start + k] = -2 * probabilities[start + k] * (targets[start + k] - expectedTarget);
        }
        return gradient;
      },
      exactLoss(logits) {
        const probabilities = nodeProbabilities('categorical', logits, classes);
        let loss = 0;
        for (let index = 0; index < width; index++) loss += -2 * probabilities[index] * targets[index] + targets[index] * targets[index];
        return loss + units;
      },
    };
  },
});
