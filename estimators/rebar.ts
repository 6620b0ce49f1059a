import { defineEstimator } from '../core/estimator.js';
import { adamInitialMoments, adamStep } from './state-adam.js';

/**
 * The logistic variable z of evaluation 1, z = theta + log((1 − u) / u), whose sign is the hard sample
 * (z > 0 exactly when u < p, as `hardBernoulliSample` draws it); and for evaluation 2 the conditional
 * z̃ ~ p(z | b) from the second draw v: with w = 1 − u (so z = theta + logit(w), b = [w > 1 − p]), w̃ is
 * uniform on (1 − p, 1) given b = 1 and on (0, 1 − p) given b = 0, as in the REBAR and RELAX authors'
 * `conditional_noise` (duvenaud/relax), which draws a fresh uniform rather than tying it to u.
 */
function rebarLogit(theta: number, p: number, u: number, v: number, evaluation: number): number {
  if (evaluation < 1.5) return theta + Math.log((1 - u) / u);
  let w = v * (1 - p);
  if (u < p) {
    w = 1 - p + v * p;
  }
  return theta + Math.log(w / (1 - w));
}

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
 */
export const rebar = defineEstimator({
  id: 'rebar',
  title: 'REBAR (adaptive η and temperature)',
  citation: 'Tucker, Mnih, Maddison, Lawson & Sohl-Dickstein (2017), "REBAR: Low-variance, unbiased gradient estimates for discrete latent variable models", NeurIPS, arXiv:1703.07370',
  family: 'score-function',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: true,
  params: {
    initialEta: { description: 'control variate scale η at the start (0 with etaRate 0: plain REINFORCE)', default: 1 },
    initialTemperature: { description: 'relaxation temperature λ at the start', default: 0.5, minimum: 0, exclusiveMinimum: true },
    etaRate: { description: 'Adam learning rate of η on the estimate\'s variance (0: η fixed)', default: 0.01, minimum: 0 },
    temperatureRate: { description: 'Adam learning rate of log λ on the estimate\'s variance (0: λ fixed)', default: 0.01, minimum: 0 },
  },
  noise: ['uniform', 'uniform'],
  evaluations: 3,
  needs: { objective: true, objectiveGradient: true },
  helpers: [rebarLogit],
  kernels: {
    forward: function rebarForward(theta: number, p: number, u: number, v: number, evaluation: number, temperature: number): number {
      // The hard sample as hardBernoulliSample draws it, so that η = 0 gives REINFORCE's very numbers.
      if (evaluation < 0.5) return Math.ceil(p - u) + 0;
      return 1 / (1 + Math.exp(-rebarLogit(theta, p, u, v, evaluation) / temperature));
    },
    gradient: function rebarGradient(
      theta: number, p: number, u: number, v: number, h: number, dLdh: number, objective: number, evaluation: number,
      eta: number, temperature: number,
    ): number {
      if (evaluation < 0.5) return (h - p) * objective;
      // d sigma(z / lambda) / dz
      const slope = (h * (1 - h)) / temperature;
      if (evaluation < 1.5) return eta * dLdh * slope;
      let w = v * (1 - p);
      let dwdp = -v;
      if (u < p) {
        w = 1 - p + v * p;
        dwdp = v - 1;
      }
      // Where w rounds to 0 or 1 the relaxed value is saturated (slope 0): keep the product finite.
      const spread = w * (1 - w);
      let dzdtheta = 1;
      if (spread > 0) {
        dzdtheta = 1 + (p * (1 - p) * dwdp) / spread;
      }
      const b = Math.ceil(p - u) + 0;
      return -eta * ((b - p) * objective + dLdh * slope * dzdtheta);
    },
  },
  state: {
    names: ['eta', 'temperature', 'etaMoment', 'etaSquare', 'logTemperatureMoment', 'logTemperatureSquare'],
    init: (params) => ({ eta: Number(params.initialEta), temperature: Number(params.initialTemperature), ...adamInitialMoments(['eta', 'logTemperature']) }),
    varianceGradientSteps: (params, values) => ({
      eta: Number(params.etaRate) > 0 ? 0.5 : 0,
      temperature: Number(params.temperatureRate) > 0 ? 0.1 * values.temperature : 0,
    }),
    update: ({ values, params, step, varianceGradient }) => {
      const eta = adamStep(values, 'eta', values.eta, varianceGradient.eta ?? 0, Number(params.etaRate), step);
      // d/d log λ = λ d/dλ
      const logTemperature = adamStep(
        values, 'logTemperature', Math.log(values.temperature), values.temperature * (varianceGradient.temperature ?? 0), Number(params.temperatureRate), step,
      );
      return { ...eta, ...logTemperature, ...(logTemperature.logTemperature === undefined ? {} : { temperature: Math.exp(logTemperature.logTemperature) }) };
    },
  },
});
