import { defineEstimator } from '../core/estimator.js';
import type { EstimatorState, StateUpdateInput, StateValues } from '../core/estimator-state.js';
import type { ParameterValues } from '../core/parameters.js';
import { adamInitialMoments, adamStep } from './state-adam.js';
import { rebarConditionalSlope, rebarForward, rebarGradient, rebarLogit } from './rebar-kernels.js';
import {
  rebarCategoricalForward, rebarCategoricalGradient, rebarCategoricalUnitForward, rebarCategoricalUnitGradient, rebarCategoricalWinner, rebarCategoricalRelaxedWeight,
} from './rebar-categorical-kernels.js';

/** REBAR's parameters (RELAX shares them). */
export const rebarParams = {
  initialEta: { description: 'control variate scale η at the start (0 with etaRate 0: plain REINFORCE)', default: 1 },
  initialTemperature: { description: 'relaxation temperature λ at the start', default: 0.5, minimum: 0, exclusiveMinimum: true },
  etaRate: { description: 'Adam learning rate of η on the estimate\'s variance (0: η fixed)', default: 0.01, minimum: 0 },
  temperatureRate: { description: 'Adam learning rate of log λ on the estimate\'s variance (0: λ fixed)', default: 0.01, minimum: 0 },
} as const;

/**
 * REBAR's state: η and λ with Adam's moments, stepped down the variance gradient the harness forms (see
 * `rebar`); RELAX adds its network to it.
 */
export const rebarState = {
  names: ['eta', 'temperature', 'etaMoment', 'etaSquare', 'logTemperatureMoment', 'logTemperatureSquare'],
  init: (params: ParameterValues) => ({ eta: Number(params.initialEta), temperature: Number(params.initialTemperature), ...adamInitialMoments(['eta', 'logTemperature']) }),
  varianceGradientSteps: (params: ParameterValues, values: StateValues) => ({
    eta: Number(params.etaRate) > 0 ? 0.5 : 0,
    temperature: Number(params.temperatureRate) > 0 ? 0.1 * values.temperature : 0,
  }),
  update: ({ values, params, step, varianceGradient }: StateUpdateInput) => {
    const eta = adamStep(values, 'eta', values.eta, varianceGradient.eta ?? 0, Number(params.etaRate), step);
    // d/d log λ = λ d/dλ
    const logTemperature = adamStep(
      values, 'logTemperature', Math.log(values.temperature), values.temperature * (varianceGradient.temperature ?? 0), Number(params.temperatureRate), step,
    );
    return { ...eta, ...logTemperature, ...(logTemperature.logTemperature === undefined ? {} : { temperature: Math.exp(logTemperature.logTemperature) }) };
  },
} satisfies EstimatorState;

/**
 * REBAR for Bernoulli nodes: three evaluations sharing the draws u, v: the hard sample b = H(z)
 * (evaluation 0), the relaxed σ(z/λ) (1) and the conditional relaxed σ(z̃/λ) (2), and
 *   ĝ = (b − p)(f(b) − η f(σ(z̃/λ))) + η ∂f(σ(z/λ))/∂θ − η ∂f(σ(z̃/λ))/∂θ,
 * the control variate's score term split by evaluation (each reads its own objective value). z̃ depends
 * on θ through p with b and v held fixed: ∂z̃/∂θ = 1 + p(1 − p) (∂w̃/∂p) / (w̃ (1 − w̃)). Unbiased for
 * every η and λ, which are state adapted online by variance minimisation: the harness hands the
 * derivative of Σᵢ E[ĝᵢ²] with respect to η (a central difference with common random numbers, exact
 * since ĝ is linear in η) and to λ (the same difference at λ ± 0.1 λ, an approximation, since second
 * derivatives through the objective are not available); Adam steps η and log λ down them, as the
 * authors adapted η and log λ with Adam. A rate of 0 fixes the value. With η = 0 the estimate is
 * REINFORCE's (b − p) f(b) exactly.
 *
 * On categorical nodes (units of K classes; Tucker et al.'s and Grathwohl et al.'s categorical form) the
 * same three evaluations from 2K exponential draws per unit: b = onehot(argmax(θ + G)), softmax(z/λ) at
 * z = θ + G, and softmax(z̃/λ) at the conditional z̃ ~ p(z | b) drawn from K fresh draws, with
 *   ĝ = (f(b) − η f(softmax(z̃/λ))) (b − p) + η ∂f(softmax(z/λ))/∂θ − η ∂f(softmax(z̃/λ))/∂θ
 * (∂log p(b)/∂θ = b − p; ∂z̃/∂θ through the conditional reparameterisation: estimators/rebar-categorical-kernels.ts),
 * and the same η and λ state and adaptation.
 */
export const rebar = defineEstimator({
  id: 'rebar',
  title: 'REBAR (adaptive η and temperature)',
  citation: 'Tucker, Mnih, Maddison, Lawson & Sohl-Dickstein (2017), "REBAR: Low-variance, unbiased gradient estimates for discrete latent variable models", NeurIPS, arXiv:1703.07370',
  family: 'score-function',
  nodeKinds: ['bernoulli', 'categorical'],
  claimsUnbiased: true,
  params: rebarParams,
  noise: ['uniform', 'uniform'],
  evaluations: 3,
  // Only evaluation 0 is a draw of the node: the relaxed points feed the control variate alone.
  sampleEvaluations: 1,
  needs: { objective: true, objectiveGradient: true },
  helpers: [rebarLogit, rebarConditionalSlope],
  kernels: {
    forward: rebarForward,
    gradient: rebarGradient,
  },
  categoricalKernels: {
    // K for the sample's Gumbels, K for the conditional's fresh noise.
    exponentialsPerUnit: (_params, classes) => 2 * classes,
    forward: rebarCategoricalForward,
    gradient: rebarCategoricalGradient,
    // The CPU's fast path: a unit per call (the GPU runs the element kernels).
    unitForward: rebarCategoricalUnitForward,
    unitGradient: rebarCategoricalUnitGradient,
    helpers: [rebarCategoricalWinner, rebarCategoricalRelaxedWeight],
  },
  state: rebarState,
});
