import { defineEstimator } from '../core/estimator.js';
import type { StateUpdateInput } from '../core/estimator-state.js';
import type { HostTermInput } from '../core/host-terms.js';
import type { ParameterValues } from '../core/parameters.js';
import { rebarParams, rebarState } from './rebar.js';
import { rebarConditionalSlope, rebarForward, rebarGradient, rebarLogit, relaxGradient } from './rebar-kernels.js';
import { initialSurrogateWeights, type SurrogateShape } from './relax-surrogate.js';
import { addSurrogatePairWeightProduct, surrogatePairInputGradients, surrogatePairValues } from './relax-surrogate-pair.js';
import { adamArrayStep } from './state-adam.js';
import {
  rebarCategoricalForward, rebarCategoricalGradient, rebarCategoricalUnitForward, rebarCategoricalWinner, rebarCategoricalRelaxedWeight, relaxCategoricalGradient,
} from './rebar-categorical-kernels.js';
import { readCategoricalRow, relaxRowSamples, type RelaxRowSamples } from './relax-categorical-samples.js';

/** Fills `out` with row `row` of a Bernoulli batch (REBAR's noise: u and v shared by the evaluations, one column per unit); mix stays 0. */
function readBernoulliRow(batch: HostTermInput, row: number, out: RelaxRowSamples): void {
  const { width, noiseWidth, logits, probabilities, noiseU, noiseV } = batch;
  for (let unit = 0; unit < width; unit++) {
    const theta = logits[row * width + unit];
    const p = probabilities[row * width + unit];
    const u = noiseU![row * noiseWidth + unit];
    const v = noiseV![row * noiseWidth + unit];
    out.z[unit] = rebarLogit(theta, p, u, v, 1);
    out.conditional[unit] = rebarLogit(theta, p, u, v, 2);
    out.slope[unit] = rebarConditionalSlope(p, u, v);
    out.score[unit] = Math.ceil(p - u) + 0 - p;
  }
}

/** Row `row` of a batch of either node kind (a categorical batch carries its exponentials). */
function readRow(batch: HostTermInput, row: number, out: RelaxRowSamples): void {
  if (batch.exponentials) readCategoricalRow(batch, row, out);
  else readBernoulliRow(batch, row, out);
}

/** Elements per unit: K on a categorical node, 1 on a Bernoulli one. */
const unitSize = (batch: HostTermInput) => (batch.exponentials ? batch.classes! : 1);

function networkShape(params: ParameterValues, width: number): SurrogateShape {
  return { inputs: width, hidden: Number(params.hidden) };
}

/**
 * The network's part of the estimate for each element of a batch:
 *   t_j = −r(z̃)(b_j − p_j) + ∂r(z)/∂z_j − Σ_i ∂r(z̃)/∂z̃_i · ∂z̃_i/∂θ_j,
 * with ∂z̃_i/∂θ_j = slope_i δ_ij + mix_i p_j within a unit (see `RelaxRowSamples`).
 */
function surrogateNetTerms(batch: HostTermInput): Float64Array {
  const { rows, width, params, arrays } = batch;
  const shape = networkShape(params, width);
  const classes = unitSize(batch);
  const weights = arrays.surrogateWeights;
  const terms = new Float64Array(rows * width);
  const samples = relaxRowSamples(width);
  const activations = new Float64Array(shape.hidden);
  const conditionalActivations = new Float64Array(shape.hidden);
  const values = new Float64Array(2);
  const atSample = new Float64Array(width);
  const atConditional = new Float64Array(width);
  for (let row = 0; row < rows; row++) {
    readRow(batch, row, samples);
    // Both points in one sweep over the network's weights (relax-surrogate-pair.ts).
    surrogatePairValues(weights, shape, samples.z, samples.conditional, activations, conditionalActivations, values);
    surrogatePairInputGradients(weights, shape, activations, conditionalActivations, atSample, atConditional);
    const conditionalValue = values[1];
    for (let unitStart = 0; unitStart < width; unitStart += classes) {
      let mixed = 0;
      for (let i = unitStart; i < unitStart + classes; i++) mixed += samples.mix[i] * atConditional[i];
      for (let j = unitStart; j < unitStart + classes; j++) {
        const throughConditional = atConditional[j] * samples.slope[j] + samples.probability[j] * mixed;
        terms[row * width + j] = -conditionalValue * samples.score[j] + atSample[j] - throughConditional;
      }
    }
  }
  return terms;
}

/**
 * ∂/∂ρ of the mean over the step's rows of Σᵢ ĝᵢ², as E[2 ĝ ∂ĝ/∂ρ] from each row's own estimate ĝ (only
 * the network's term t depends on ρ): with c = 2ĝ / rows, Σᵢ cᵢ tᵢ = α r(z̃) + cᵀ∇r(z) + c̃ᵀ∇r(z̃), where
 * α = −Σᵢ cᵢ (bᵢ − pᵢ) and c̃ = −Jᵀc, c̃_i = −(slope_i c_i + mix_i Σ_j p_j c_j) over i's unit; its weight
 * gradient is the network's closed-form product.
 */
export function surrogateVarianceGradient(input: Pick<StateUpdateInput, 'params' | 'arrays' | 'samples'>): Float64Array {
  const weights = input.arrays.surrogateWeights;
  const gradient = new Float64Array(weights.length);
  const batches = input.samples ?? [];
  const rows = batches.reduce((total, batch) => total + batch.rows, 0);
  for (const batch of batches) {
    const { width } = batch;
    const shape = networkShape(input.params, width);
    const classes = unitSize(batch);
    const samples = relaxRowSamples(width);
    const activations = new Float64Array(shape.hidden);
    const conditionalActivations = new Float64Array(shape.hidden);
    const values = new Float64Array(2);
    const weight = new Float64Array(width);
    const conditionalWeight = new Float64Array(width);
    for (let row = 0; row < batch.rows; row++) {
      readRow(batch, row, samples);
      let alpha = 0;
      for (let unitStart = 0; unitStart < width; unitStart += classes) {
        let weightedProbability = 0;
        for (let j = unitStart; j < unitStart + classes; j++) {
          weight[j] = (2 * batch.estimates[row * width + j]) / rows;
          alpha -= weight[j] * samples.score[j];
          weightedProbability += samples.probability[j] * weight[j];
        }
        for (let i = unitStart; i < unitStart + classes; i++) conditionalWeight[i] = -(samples.slope[i] * weight[i] + samples.mix[i] * weightedProbability);
      }
      surrogatePairValues(weights, shape, samples.z, samples.conditional, activations, conditionalActivations, values);
      addSurrogatePairWeightProduct(
        weights, shape, { x: samples.z, activations, alpha: 0, v: weight },
        { x: samples.conditional, activations: conditionalActivations, alpha, v: conditionalWeight }, gradient,
      );
    }
  }
  return gradient;
}

/**
 * RELAX for Bernoulli and categorical nodes: REBAR's estimator with a learned network added to its control variate,
 *   c_φ(z) = η f(σ(z/λ)) + r_ρ(z),
 *   ĝ = [f(b) − c_φ(z̃)] ∂log p(b)/∂θ + ∂c_φ(z)/∂θ − ∂c_φ(z̃)/∂θ,
 * with z and z̃ drawn exactly as `rebar` draws them (its kernels compute the η f part; ∂log p(b)/∂θ = b − p).
 * r_ρ is a one-hidden-layer tanh network over the row's D logistic samples (width `hidden`), as the
 * authors' VAE code feeds its Q network z rather than σ(z/λ) (duvenaud/relax; their two 200-unit layers
 * and the input x are not used here). Its part of ĝ is a host term (see core/host-terms.ts) computed per
 * batch from the noise; φ = (η, log λ, ρ) is trained by Adam on the estimate's second moment Σᵢ E[ĝᵢ²]:
 * η and λ by REBAR's central differences, ρ by the single-sample gradient E[2 ĝ ∂ĝ/∂ρ] in closed form
 * (`surrogateVarianceGradient`). Unbiased for every φ, which at a step depends only on earlier steps.
 *
 * On categorical nodes (the papers' categorical form, Grathwohl et al. 2018 appendix) the same with
 * REBAR's categorical draws (see `rebar` and estimators/rebar-categorical-kernels.ts): r_ρ reads the row's
 * units · K Gumbel-perturbed logits z, and the conditional z̃ with its log Z; ∂z̃/∂θ mixes a unit's
 * classes (∂z̃_i/∂θ_j = r_i δ_ij + (1 − r_i) p_j for i ≠ b, p_j for i = b), in the network's term and in
 * ρ's variance gradient alike (estimators/relax-categorical-samples.ts).
 */
export const relax = defineEstimator({
  id: 'relax',
  title: 'RELAX (REBAR plus a learned surrogate network)',
  citation: 'Grathwohl, Choi, Wu, Roeder & Duvenaud (2018), "Backpropagation through the Void: Optimizing control variates for black-box gradient estimation", ICLR, arXiv:1711.00123',
  family: 'score-function',
  nodeKinds: ['bernoulli', 'categorical'],
  claimsUnbiased: true,
  params: {
    ...rebarParams,
    hidden: { description: 'hidden tanh units of the surrogate network r_ρ', default: 10, minimum: 1, maximum: 1000, integer: true },
    surrogateRate: { description: 'Adam learning rate of the network\'s weights on the estimate\'s variance (0: fixed)', default: 0.01, minimum: 0 },
    surrogateScale: { description: 'standard deviation of the network\'s initial weights', default: 0.1, minimum: 0 },
    surrogateSeed: { description: 'seed of the network\'s initial weights', default: 1, minimum: 0, integer: true },
  },
  noise: ['uniform', 'uniform'],
  evaluations: 3,
  // Only evaluation 0 is a draw of the node: the relaxed points feed the control variate alone.
  sampleEvaluations: 1,
  needs: { objective: true, objectiveGradient: true },
  helpers: [rebarLogit, rebarConditionalSlope, rebarGradient],
  kernels: { forward: rebarForward, gradient: relaxGradient },
  categoricalKernels: {
    // REBAR's categorical noise: K for the sample's Gumbels, K for the conditional's.
    exponentialsPerUnit: (_params, classes) => 2 * classes,
    forward: rebarCategoricalForward,
    gradient: relaxCategoricalGradient,
    // The CPU's fast path for the forward pass; the gradient stays per element, where the host terms are bound.
    unitForward: rebarCategoricalUnitForward,
    helpers: [rebarCategoricalWinner, rebarCategoricalRelaxedWeight, rebarCategoricalGradient],
  },
  hostTerms: {
    elementNames: ['surrogateNetTerm'],
    rowNames: [],
    compute: (batch) => ({ element: { surrogateNetTerm: surrogateNetTerms(batch) }, row: {} }),
  },
  state: {
    ...rebarState,
    needsNodeSamples: true,
    arrays: {
      init: (params, shape) => {
        const weights = initialSurrogateWeights(networkShape(params, shape.dim), Number(params.surrogateScale), Number(params.surrogateSeed));
        return { surrogateWeights: weights, surrogateWeightsMoment: new Float64Array(weights.length), surrogateWeightsSquare: new Float64Array(weights.length) };
      },
      update: (input): Record<string, Float64Array> => {
        const { arrays, params, step } = input;
        const next = adamArrayStep(
          arrays.surrogateWeights, arrays.surrogateWeightsMoment, arrays.surrogateWeightsSquare, surrogateVarianceGradient(input), Number(params.surrogateRate), step,
        );
        return next ? { surrogateWeights: next.weights, surrogateWeightsMoment: next.moment, surrogateWeightsSquare: next.square } : {};
      },
    },
  },
});
