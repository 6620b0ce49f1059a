import type { NodeKind } from '../../core/estimator.js';

/**
 * The distribution of a VAE's latent code: q(h | a), the approximate posterior given the encoder's
 * logits a, and the uniform prior p(h). A row of h holds `units` units of `classes` states laid out
 * unit-major: one element per Bernoulli unit (classes = 2, h ∈ {0, 1}), or K one-hot elements per
 * categorical unit (index = unit·K + class). A relaxed estimator hands the decoder h inside [0, 1] or
 * inside the simplex; these formulas are then evaluated at that h as they are written (the usual
 * practice of the REBAR, Concrete and Gumbel-softmax papers).
 */
export interface LatentFamily {
  readonly nodeKind: NodeKind;
  readonly units: number;
  /** States per unit: 2 for Bernoulli, K for categorical. */
  readonly classes: number;
  /** Logits (and h elements) per example. */
  readonly width: number;
  /** log p(h) under the uniform prior: −units·log(classes), the same for every h, relaxed h included. */
  readonly logPrior: number;
  /** log q(h | a) of one row, h and a read from `offset` on. */
  logPosterior(h: ArrayLike<number>, hOffset: number, a: ArrayLike<number>, aOffset: number): number;
  /**
   * For a family whose log q(h | a) is Σ h·a − logNormaliser(a) (Bernoulli: Σ softplus(a)): the part that
   * depends on a alone, which the evaluations of one example row share (see `decodeObjective`).
   */
  readonly logNormaliser?: (a: ArrayLike<number>, aOffset: number) => number;
  /** Adds scale · ∂log q(h | a)/∂h (a for Bernoulli, log softmax(a) for categorical) to `out` from `outOffset`. */
  addPosteriorGradientInH(a: ArrayLike<number>, aOffset: number, scale: number, out: Float32Array | Float64Array, outOffset: number): void;
  /**
   * Adds scale · ∂log q(h | a)/∂a at fixed h to `out`: h − σ(a) for Bernoulli, h − softmax(a) for
   * categorical (one-hot or relaxed h, whose elements sum to 1 per unit). Its mean under q is zero.
   */
  addPosteriorGradientInA(h: ArrayLike<number>, hOffset: number, a: ArrayLike<number>, aOffset: number, scale: number, out: Float64Array, outOffset: number): void;
  /** q's probability of each element: σ(a) per Bernoulli unit, the softmax of each categorical unit. */
  probabilities(a: ArrayLike<number>, aOffset: number, out: Float64Array, outOffset: number): void;
  /** KL(q(· | a) ‖ p) of one row, in closed form. */
  klToPrior(a: ArrayLike<number>, aOffset: number): number;
  /** Draws a hard h row from q (one uniform per unit) into `out`. */
  sample(probabilities: ArrayLike<number>, pOffset: number, uniforms: ArrayLike<number>, uOffset: number, out: Float32Array | Float64Array, outOffset: number): void;
  /** Writes state `state` of unit `unit` into an h row (0/1 for Bernoulli, one-hot for categorical). */
  setState(out: Float32Array | Float64Array, outOffset: number, unit: number, state: number): void;
  /** The state of unit `unit` in a hard h row. */
  stateOf(h: ArrayLike<number>, hOffset: number, unit: number): number;
  /**
   * Writes ∂/∂a of Σ_s q(unit = s | a) f_s, for the values f_s of the `classes` states of one unit, into
   * that unit's elements of `out`: σ'(a)(f_1 − f_0) for Bernoulli, π_k (f_k − Σ_c π_c f_c) for categorical.
   */
  writeExpectationGradient(probabilities: ArrayLike<number>, pOffset: number, unit: number, stateValues: ArrayLike<number>, out: Float64Array, outOffset: number): void;
}

/** log(1 + e^x) without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** Bernoulli(σ(a)) units, one logit each, Bernoulli(½) prior. */
export function bernoulliLatents(units: number): LatentFamily {
  return {
    nodeKind: 'bernoulli',
    units,
    classes: 2,
    width: units,
    logPrior: -units * Math.LN2,
    // log q(h | a) = Σ h·a − softplus(a), which is h log σ(a) + (1 − h) log σ(−a).
    logPosterior(h, hOffset, a, aOffset) {
      let total = 0;
      for (let unit = 0; unit < units; unit++) total += h[hOffset + unit] * a[aOffset + unit] - softplus(a[aOffset + unit]);
      return total;
    },
    logNormaliser(a, aOffset) {
      let total = 0;
      for (let unit = 0; unit < units; unit++) total += softplus(a[aOffset + unit]);
      return total;
    },
    addPosteriorGradientInH(a, aOffset, scale, out, outOffset) {
      for (let unit = 0; unit < units; unit++) out[outOffset + unit] += scale * a[aOffset + unit];
    },
    addPosteriorGradientInA(h, hOffset, a, aOffset, scale, out, outOffset) {
      for (let unit = 0; unit < units; unit++) out[outOffset + unit] += scale * (h[hOffset + unit] - 1 / (1 + Math.exp(-a[aOffset + unit])));
    },
    probabilities(a, aOffset, out, outOffset) {
      for (let unit = 0; unit < units; unit++) out[outOffset + unit] = 1 / (1 + Math.exp(-a[aOffset + unit]));
    },
    // KL(Bernoulli(p) ‖ Bernoulli(½)) = p log 2p + (1 − p) log 2(1 − p) = log 2 + p·a − softplus(a).
    klToPrior(a, aOffset) {
      let total = 0;
      for (let unit = 0; unit < units; unit++) {
        const logit = a[aOffset + unit];
        total += Math.LN2 + logit / (1 + Math.exp(-logit)) - softplus(logit);
      }
      return total;
    },
    sample(probabilities, pOffset, uniforms, uOffset, out, outOffset) {
      for (let unit = 0; unit < units; unit++) out[outOffset + unit] = uniforms[uOffset + unit] < probabilities[pOffset + unit] ? 1 : 0;
    },
    setState(out, outOffset, unit, state) {
      out[outOffset + unit] = state;
    },
    stateOf(h, hOffset, unit) {
      return h[hOffset + unit] > 0.5 ? 1 : 0;
    },
    writeExpectationGradient(probabilities, pOffset, unit, stateValues, out, outOffset) {
      const p = probabilities[pOffset + unit];
      out[outOffset + unit] = p * (1 - p) * (stateValues[1] - stateValues[0]);
    },
  };
}

/** Log-softmax of the K logits of one unit starting at `start`: the largest logit and log Σ exp. */
function logNormaliser(a: ArrayLike<number>, start: number, classes: number): number {
  let largest = -Infinity;
  for (let k = 0; k < classes; k++) largest = Math.max(largest, a[start + k]);
  let total = 0;
  for (let k = 0; k < classes; k++) total += Math.exp(a[start + k] - largest);
  return largest + Math.log(total);
}

/** Categorical units of K classes (softmax of K logits each), one-hot h, uniform prior 1/K. */
export function categoricalLatents(units: number, classes: number): LatentFamily {
  const width = units * classes;
  return {
    nodeKind: 'categorical',
    units,
    classes,
    width,
    logPrior: -units * Math.log(classes),
    // log q(h | a) = Σ_units Σ_k h_k (a_k − log Σ_j exp a_j).
    logPosterior(h, hOffset, a, aOffset) {
      let total = 0;
      for (let start = 0; start < width; start += classes) {
        const normaliser = logNormaliser(a, aOffset + start, classes);
        for (let k = 0; k < classes; k++) total += h[hOffset + start + k] * (a[aOffset + start + k] - normaliser);
      }
      return total;
    },
    addPosteriorGradientInH(a, aOffset, scale, out, outOffset) {
      for (let start = 0; start < width; start += classes) {
        const normaliser = logNormaliser(a, aOffset + start, classes);
        for (let k = 0; k < classes; k++) out[outOffset + start + k] += scale * (a[aOffset + start + k] - normaliser);
      }
    },
    addPosteriorGradientInA(h, hOffset, a, aOffset, scale, out, outOffset) {
      for (let start = 0; start < width; start += classes) {
        const normaliser = logNormaliser(a, aOffset + start, classes);
        for (let k = 0; k < classes; k++) {
          out[outOffset + start + k] += scale * (h[hOffset + start + k] - Math.exp(a[aOffset + start + k] - normaliser));
        }
      }
    },
    probabilities(a, aOffset, out, outOffset) {
      for (let start = 0; start < width; start += classes) {
        const normaliser = logNormaliser(a, aOffset + start, classes);
        for (let k = 0; k < classes; k++) out[outOffset + start + k] = Math.exp(a[aOffset + start + k] - normaliser);
      }
    },
    // KL(π ‖ uniform) = Σ_k π_k log(K π_k).
    klToPrior(a, aOffset) {
      let total = 0;
      for (let start = 0; start < width; start += classes) {
        const normaliser = logNormaliser(a, aOffset + start, classes);
        for (let k = 0; k < classes; k++) {
          const logProbability = a[aOffset + start + k] - normaliser;
          total += Math.exp(logProbability) * (logProbability + Math.log(classes));
        }
      }
      return total;
    },
    // Inverse CDF: the first class whose cumulative probability passes u.
    sample(probabilities, pOffset, uniforms, uOffset, out, outOffset) {
      for (let unit = 0; unit < units; unit++) {
        const start = unit * classes;
        const u = uniforms[uOffset + unit];
        let cumulative = 0;
        let chosen = classes - 1;
        for (let k = 0; k < classes; k++) {
          cumulative += probabilities[pOffset + start + k];
          if (u < cumulative) {
            chosen = k;
            break;
          }
        }
        for (let k = 0; k < classes; k++) out[outOffset + start + k] = k === chosen ? 1 : 0;
      }
    },
    setState(out, outOffset, unit, state) {
      for (let k = 0; k < classes; k++) out[outOffset + unit * classes + k] = k === state ? 1 : 0;
    },
    stateOf(h, hOffset, unit) {
      let chosen = 0;
      for (let k = 1; k < classes; k++) if (h[hOffset + unit * classes + k] > h[hOffset + unit * classes + chosen]) chosen = k;
      return chosen;
    },
    writeExpectationGradient(probabilities, pOffset, unit, stateValues, out, outOffset) {
      const start = unit * classes;
      let expected = 0;
      for (let k = 0; k < classes; k++) expected += probabilities[pOffset + start + k] * stateValues[k];
      for (let k = 0; k < classes; k++) out[outOffset + start + k] = probabilities[pOffset + start + k] * (stateValues[k] - expected);
    },
  };
}
