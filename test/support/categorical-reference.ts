/**
 * Expectations of the categorical estimators on one unit of categorical-toy, derived here from the
 * papers' definitions with explicit K × K matrices, independently of the kernels (which work with
 * scalar sums) and of the harness's noise (the Monte Carlo parts use their own generator and float64).
 * One unit: logits theta (K), probabilities pi = softmax(theta), target c, loss f(x) = ‖x − c‖², so
 * df/dx = 2 (x − c).
 */

export function softmax(values: readonly number[], temperature = 1): number[] {
  const largest = Math.max(...values);
  const weights = values.map((value) => Math.exp((value - largest) / temperature));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight) => weight / total);
}

/** J(pi) = diag(pi) − pi piᵀ, the Jacobian of softmax at its output pi (symmetric). */
function softmaxJacobian(pi: readonly number[]): number[][] {
  return pi.map((row, k) => pi.map((column, j) => (k === j ? row : 0) - row * column));
}

function times(matrix: number[][], vector: readonly number[]): number[] {
  return matrix.map((row) => row.reduce((sum, entry, j) => sum + entry * vector[j], 0));
}

const oneHot = (classes: number, index: number): number[] => Array.from({ length: classes }, (_, j) => (j === index ? 1 : 0));
const lossSlope = (x: readonly number[], target: readonly number[]) => x.map((value, j) => 2 * (value - target[j]));

/** dE[f]/dtheta by enumerating the K outcomes: Σ_d f(e_d) d pi_d / d theta = J(pi) f. */
export function exactGradientByEnumeration(theta: readonly number[], target: readonly number[]): number[] {
  const pi = softmax(theta);
  const losses = pi.map((_, d) => oneHot(pi.length, d).reduce((sum, x, j) => sum + (x - target[j]) ** 2, 0));
  return times(softmaxJacobian(pi), losses);
}

/** E[f] by enumeration. */
export function exactLossByEnumeration(theta: readonly number[], target: readonly number[]): number {
  const pi = softmax(theta);
  return pi.reduce((sum, probability, d) => sum + probability * oneHot(pi.length, d).reduce((s, x, j) => s + (x - target[j]) ** 2, 0), 0);
}

/**
 * E[ZGR] by enumerating the sampled class x ~ pi (Shekhovtsov 2023): the gradient of its surrogate
 * (pi + (D − pi) log pi_x) / 2 applied to g = df/dD, that is ½ J(pi) g + ½ (D − pi) ((D − pi) · g).
 */
export function zgrMeanByEnumeration(theta: readonly number[], target: readonly number[]): number[] {
  const pi = softmax(theta);
  const mean = new Array<number>(theta.length).fill(0);
  pi.forEach((probability, x) => {
    const sample = oneHot(theta.length, x);
    const slope = lossSlope(sample, target);
    const straightThrough = times(softmaxJacobian(pi), slope);
    const centred = sample.map((value, j) => value - pi[j]);
    const scoreWeight = centred.reduce((sum, value, j) => sum + value * slope[j], 0);
    for (let k = 0; k < theta.length; k++) mean[k] += probability * 0.5 * (straightThrough[k] + centred[k] * scoreWeight);
  });
  return mean;
}

/**
 * E[ReinMax] by enumerating D ~ pi0 (Liu et al. 2023, Algorithm 2): pi1 = (D + softmax(theta/tau))/2 enters
 * through softmax(stopgrad(ln pi1 − theta) + theta), whose Jacobian is J(pi1); pi2 = 2 pi1 − pi0/2; the
 * gradient reaching theta is J(pi2-path) g = 2 J(pi1) g − ½ J(pi0) g with g = df/dD.
 */
export function reinmaxMeanByEnumeration(theta: readonly number[], target: readonly number[], tau: number): number[] {
  const pi0 = softmax(theta);
  const tempered = softmax(theta, tau);
  const mean = new Array<number>(theta.length).fill(0);
  pi0.forEach((probability, d) => {
    const sample = oneHot(theta.length, d);
    const slope = lossSlope(sample, target);
    const pi1 = sample.map((value, j) => 0.5 * (value + tempered[j]));
    const first = times(softmaxJacobian(pi1), slope);
    const second = times(softmaxJacobian(pi0), slope);
    for (let j = 0; j < theta.length; j++) mean[j] += probability * (2 * first[j] - 0.5 * second[j]);
  });
  return mean;
}

/**
 * E[GST-1.0] by enumerating D ~ pi (Fan et al. 2022; the reference code's `gst_mover`, written here again
 * from it): with m = argmax pi, move = (theta_m − theta) on D only, move2 = max(0, theta − theta_m + gap)
 * off D (0 on D), z = theta + move − move2 (the moves constant, so dz/dtheta = I), and y = softmax(z / tau)
 * (its mean-centring changes nothing); the gradient is (1/tau) J(y) g with g = df/dD.
 */
export function gappedStMeanByEnumeration(theta: readonly number[], target: readonly number[], tau: number, gap: number): number[] {
  const pi = softmax(theta);
  const m = pi.indexOf(Math.max(...pi));
  const mean = new Array<number>(theta.length).fill(0);
  pi.forEach((probability, d) => {
    const sample = oneHot(theta.length, d);
    const z = theta.map((value, j) => {
      const move = j === d ? theta[m] - value : 0;
      const move2 = j === d ? 0 : Math.max(0, value - theta[m] + gap);
      return value + move - move2;
    });
    const y = softmax(z, tau);
    const gradient = times(softmaxJacobian(y), lossSlope(sample, target));
    for (let j = 0; j < theta.length; j++) mean[j] += (probability * gradient[j]) / tau;
  });
  return mean;
}

/** A small seeded generator (mulberry32) with float64 uniforms in (0, 1), unrelated to the harness's RNG. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return (((mixed ^ (mixed >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

/** A Monte Carlo mean with the standard error of each entry. */
export interface MonteCarloMean {
  readonly mean: number[];
  readonly stdErr: number[];
}

/**
 * Monte Carlo over G ~ Gumbel(0, 1)^K of the two Gumbel-softmax estimators, with z = theta + G,
 * y = softmax(z / tau), J_tau = (1/tau) J(y), D = onehot(argmax z):
 * - relaxed (Jang et al. 2016; Maddison et al. 2016): J_tau df/dx at x = y;
 * - straight-through (Jang et al. 2016): J_tau df/dx at x = D. Gumbel-Rao (Paulus et al. 2021) is its
 *   conditional expectation given D, so it has the same mean.
 */
export function gumbelSoftmaxMeans(
  theta: readonly number[], target: readonly number[], tau: number, samples: number, seed: number,
): { relaxed: MonteCarloMean; straightThrough: MonteCarloMean } {
  const uniform = mulberry32(seed);
  const classes = theta.length;
  const z = new Float64Array(classes);
  const y = new Float64Array(classes);
  const slopes = { relaxed: new Float64Array(classes), straightThrough: new Float64Array(classes) };
  const sums = { relaxed: new Float64Array(classes), straightThrough: new Float64Array(classes) };
  const squares = { relaxed: new Float64Array(classes), straightThrough: new Float64Array(classes) };
  for (let sample = 0; sample < samples; sample++) {
    let winner = 0;
    for (let j = 0; j < classes; j++) {
      z[j] = theta[j] - Math.log(-Math.log(uniform()));
      if (z[j] > z[winner]) winner = j;
    }
    let total = 0;
    for (let j = 0; j < classes; j++) total += y[j] = Math.exp((z[j] - z[winner]) / tau);
    for (let j = 0; j < classes; j++) {
      y[j] /= total;
      slopes.relaxed[j] = 2 * (y[j] - target[j]);
      slopes.straightThrough[j] = 2 * ((j === winner ? 1 : 0) - target[j]);
    }
    for (const kind of ['relaxed', 'straightThrough'] as const) {
      // (J_tau g)_k = Σ_j (1/tau)(δ_kj y_k − y_k y_j) g_j, the matrix product written out.
      for (let k = 0; k < classes; k++) {
        let estimate = 0;
        for (let j = 0; j < classes; j++) estimate += (((k === j ? y[k] : 0) - y[k] * y[j]) / tau) * slopes[kind][j];
        sums[kind][k] += estimate;
        squares[kind][k] += estimate * estimate;
      }
    }
  }
  const summarise = (kind: 'relaxed' | 'straightThrough'): MonteCarloMean => {
    const mean = Array.from(sums[kind], (sum) => sum / samples);
    const stdErr = Array.from(squares[kind], (square, j) => Math.sqrt(Math.max(0, square / samples - mean[j] ** 2) / (samples - 1)));
    return { mean, stdErr };
  };
  return { relaxed: summarise('relaxed'), straightThrough: summarise('straightThrough') };
}
