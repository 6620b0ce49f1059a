/**
 * The kernel functions of REBAR and RELAX (one module: a kernel calls another by name, and module loaders
 * rewrite calls to imported functions, which would break the compiled source).
 */

/**
 * The logistic variable z of evaluation 1, z = theta + log((1 − u) / u), whose sign is the hard sample
 * (z > 0 exactly when u < p, as `hardBernoulliSample` draws it); and for evaluation 2 the conditional
 * z̃ ~ p(z | b) from the second draw v: with w = 1 − u (so z = theta + logit(w), b = [w > 1 − p]), w̃ is
 * uniform on (1 − p, 1) given b = 1 and on (0, 1 − p) given b = 0, as in the REBAR and RELAX authors'
 * `conditional_noise` (duvenaud/relax), which draws a fresh uniform rather than tying it to u.
 */
export function rebarLogit(theta: number, p: number, u: number, v: number, evaluation: number): number {
  if (evaluation < 1.5) return theta + Math.log((1 - u) / u);
  let w = v * (1 - p);
  if (u < p) {
    w = 1 - p + v * p;
  }
  return theta + Math.log(w / (1 - w));
}

/**
 * ∂z̃/∂θ of the conditional logistic z̃ (evaluation 2 of `rebarLogit`), with b and v held fixed: with
 * w̃ = v (1 − p) (b = 0) or 1 − p + v p (b = 1), ∂z̃/∂θ = 1 + p(1 − p) (∂w̃/∂p) / (w̃ (1 − w̃)); 1 where w̃
 * rounds to 0 or 1 (the relaxed value is then saturated, slope 0: this keeps the product finite).
 */
export function rebarConditionalSlope(p: number, u: number, v: number): number {
  let w = v * (1 - p);
  let dwdp = -v;
  if (u < p) {
    w = 1 - p + v * p;
    dwdp = v - 1;
  }
  const spread = w * (1 - w);
  let dzdtheta = 1;
  if (spread > 0) {
    dzdtheta = 1 + (p * (1 - p) * dwdp) / spread;
  }
  return dzdtheta;
}

/** REBAR's gradient kernel (see `rebar`); RELAX's kernel calls it and adds its network's term. */
export function rebarGradient(
  theta: number, p: number, u: number, v: number, h: number, dLdh: number, objective: number, evaluation: number,
  eta: number, temperature: number,
): number {
  if (evaluation < 0.5) return (h - p) * objective;
  // d sigma(z / lambda) / dz
  const slope = (h * (1 - h)) / temperature;
  if (evaluation < 1.5) return eta * dLdh * slope;
  const b = Math.ceil(p - u) + 0;
  return -eta * ((b - p) * objective + dLdh * slope * rebarConditionalSlope(p, u, v));
}

/** REBAR's forward kernel: the hard sample (evaluation 0), σ(z/λ) (1) and σ(z̃/λ) (2). */
export function rebarForward(theta: number, p: number, u: number, v: number, evaluation: number, temperature: number): number {
  // The hard sample as hardBernoulliSample draws it, so that η = 0 gives REINFORCE's very numbers.
  if (evaluation < 0.5) return Math.ceil(p - u) + 0;
  return 1 / (1 + Math.exp(-rebarLogit(theta, p, u, v, evaluation) / temperature));
}

/**
 * RELAX's gradient kernel: REBAR's, plus the surrogate network's term computed on the host
 * (`surrogateNetTerm`, see relax.ts), added once per estimate (at evaluation 0).
 */
export function relaxGradient(
  theta: number, p: number, u: number, v: number, h: number, dLdh: number, objective: number, evaluation: number,
  eta: number, temperature: number, surrogateNetTerm: number,
): number {
  const rebarTerm = rebarGradient(theta, p, u, v, h, dLdh, objective, evaluation, eta, temperature);
  if (evaluation < 0.5) return rebarTerm + surrogateNetTerm;
  return rebarTerm;
}
