import { defineEstimator } from '../core/estimator.js';
import type { StateUpdateInput } from '../core/estimator-state.js';
import type { HostTermInput } from '../core/host-terms.js';
import type { ParameterValues } from '../core/parameters.js';
import { rebarParams, rebarState } from './rebar.js';
import { rebarConditionalSlope, rebarForward, rebarGradient, rebarLogit, relaxGradient } from './rebar-kernels.js';
import { initialSurrogateWeights, type SurrogateShape } from './relax-surrogate.js';
import { addSurrogatePairWeightProduct, surrogatePairInputGradients, surrogatePairValues } from './relax-surrogate-pair.js';
import { adamArrayStep } from './state-adam.js';

/** One row's logistic samples z and z̃ (as REBAR draws them), ∂z̃/∂θ and the score b − p. */
interface RowSamples {
  readonly z: Float64Array;
  readonly conditional: Float64Array;
  readonly conditionalSlope: Float64Array;
  readonly score: Float64Array;
}

function rowSamples(width: number): RowSamples {
  return { z: new Float64Array(width), conditional: new Float64Array(width), conditionalSlope: new Float64Array(width), score: new Float64Array(width) };
}

/** Fills `out` with row `row` of a batch (REBAR's noise: u and v shared by the evaluations, one column per unit). */
function readRow(batch: HostTermInput, row: number, out: RowSamples): void {
  const { width, noiseWidth, logits, probabilities, noiseU, noiseV } = batch;
  for (let unit = 0; unit < width; unit++) {
    const theta = logits[row * width + unit];
    const p = probabilities[row * width + unit];
    const u = noiseU![row * noiseWidth + unit];
    const v = noiseV![row * noiseWidth + unit];
    out.z[unit] = rebarLogit(theta, p, u, v, 1);
    out.conditional[unit] = rebarLogit(theta, p, u, v, 2);
    out.conditionalSlope[unit] = rebarConditionalSlope(p, u, v);
    out.score[unit] = Math.ceil(p - u) + 0 - p;
  }
}

function networkShape(params: ParameterValues, width: number): SurrogateShape {
  return { inputs: width, hidden: Number(params.hidden) };
}

/**
 * The network's part of the estimate for each element of a batch:
 *   t_i = −r(z̃)(b_i − p_i) + ∂r(z)/∂z_i − ∂r(z̃)/∂z̃_i · ∂z̃_i/∂θ_i.
 */
function surrogateNetTerms(batch: HostTermInput): Float64Array {
  const { rows, width, params, arrays } = batch;
  const shape = networkShape(params, width);
  const weights = arrays.surrogateWeights;
  const terms = new Float64Array(rows * width);
  const samples = rowSamples(width);
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
    for (let unit = 0; unit < width; unit++) {
      terms[row * width + unit] = -conditionalValue * samples.score[unit] + atSample[unit] - atConditional[unit] * samples.conditionalSlope[unit];
    }
  }
  return terms;
}

/**
 * ∂/∂ρ of the mean over the step's rows of Σᵢ ĝᵢ², as E[2 ĝ ∂ĝ/∂ρ] from each row's own estimate ĝ (only
 * the network's term t depends on ρ): with c = 2ĝ / rows, Σᵢ cᵢ tᵢ = α r(z̃) + cᵀ∇r(z) + c̃ᵀ∇r(z̃), where
 * α = −Σᵢ cᵢ (bᵢ − pᵢ) and c̃ᵢ = −cᵢ ∂z̃ᵢ/∂θᵢ; its weight gradient is the network's closed-form product.
 */
export function surrogateVarianceGradient(input: Pick<StateUpdateInput, 'params' | 'arrays' | 'samples'>): Float64Array {
  const weights = input.arrays.surrogateWeights;
  const gradient = new Float64Array(weights.length);
  const batches = input.samples ?? [];
  const rows = batches.reduce((total, batch) => total + batch.rows, 0);
  for (const batch of batches) {
    const { width } = batch;
    const shape = networkShape(input.params, width);
    const samples = rowSamples(width);
    const activations = new Float64Array(shape.hidden);
    const conditionalActivations = new Float64Array(shape.hidden);
    const values = new Float64Array(2);
    const weight = new Float64Array(width);
    const conditionalWeight = new Float64Array(width);
    for (let row = 0; row < batch.rows; row++) {
      readRow(batch, row, samples);
      let alpha = 0;
      for (let unit = 0; unit < width; unit++) {
        weight[unit] = (2 * batch.estimates[row * width + unit]) / rows;
        alpha -= weight[unit] * samples.score[unit];
        conditionalWeight[unit] = -weight[unit] * samples.conditionalSlope[unit];
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
 * RELAX for Bernoulli nodes: REBAR's estimator with a learned network added to its control variate,
 *   c_φ(z) = η f(σ(z/λ)) + r_ρ(z),
 *   ĝ = [f(b) − c_φ(z̃)] ∂log p(b)/∂θ + ∂c_φ(z)/∂θ − ∂c_φ(z̃)/∂θ,
 * with z and z̃ drawn exactly as `rebar` draws them (its kernels compute the η f part; ∂log p(b)/∂θ = b − p).
 * r_ρ is a one-hidden-layer tanh network over the row's D logistic samples (width `hidden`), as the
 * authors' VAE code feeds its Q network z rather than σ(z/λ) (duvenaud/relax; their two 200-unit layers
 * and the input x are not used here). Its part of ĝ is a host term (see core/host-terms.ts) computed per
 * batch from the noise; φ = (η, log λ, ρ) is trained by Adam on the estimate's second moment Σᵢ E[ĝᵢ²]:
 * η and λ by REBAR's central differences, ρ by the single-sample gradient E[2 ĝ ∂ĝ/∂ρ] in closed form
 * (`surrogateVarianceGradient`). Unbiased for every φ, which at a step depends only on earlier steps.
 */
export const relax = defineEstimator({
  id: 'relax',
  title: 'RELAX (REBAR plus a learned surrogate network)',
  citation: 'Grathwohl, Choi, Wu, Roeder & Duvenaud (2018), "Backpropagation through the Void: Optimizing control variates for black-box gradient estimation", ICLR, arXiv:1711.00123',
  family: 'score-function',
  nodeKinds: ['bernoulli'],
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
