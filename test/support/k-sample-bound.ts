/**
 * Exact gradients of the k-sample bound L_k = −log((1/k) Σ_j exp(−f(b⁽ʲ⁾))), b⁽ʲ⁾ i.i.d. with
 * independent Bernoulli(sigmoid(θ_i)) units, written for the tests from the definition (VIMCO's
 * expectation): by brute force over every joint state of the k samples, and, for objectives that depend
 * on a sample only through its number of ones (bernoulli-toy: f = D ℓ(0) + N (ℓ(1) − ℓ(0))), by
 * enumerating the k counts with their Poisson-binomial laws; and for independent categorical units by
 * brute force over every joint class assignment.
 */

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** softmax of each unit's K logits (unit-major), one array per unit. */
function unitProbabilities(logits: readonly number[], classes: number): number[][] {
  return Array.from({ length: logits.length / classes }, (_, unit) => {
    const slice = logits.slice(unit * classes, (unit + 1) * classes);
    const largest = Math.max(...slice);
    const weights = slice.map((value) => Math.exp(value - largest));
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    return weights.map((weight) => weight / total);
  });
}

/** −log of the mean of exp(−value) over `values`, around the smallest value. */
export function negativeLogMeanExp(values: readonly number[]): number {
  const smallest = Math.min(...values);
  return smallest - Math.log(values.reduce((total, value) => total + Math.exp(smallest - value), 0) / values.length);
}

/**
 * ∇_θ E[L_k] by brute force: every joint state (k · D bits) with its probability, and the score
 * Σ_j (b⁽ʲ⁾_i − p_i) of unit i. Feasible for k · D up to about 16.
 */
export function kSampleBoundGradientByBruteForce(logits: readonly number[], k: number, objective: (b: number[]) => number): number[] {
  const dim = logits.length;
  const p = logits.map(sigmoid);
  const gradient = new Array<number>(dim).fill(0);
  for (let state = 0; state < 2 ** (k * dim); state++) {
    const samples = Array.from({ length: k }, (_, j) => Array.from({ length: dim }, (_, i) => Math.floor(state / 2 ** (j * dim + i)) % 2));
    const probability = samples.flat().reduce((product, bit, index) => product * (bit ? p[index % dim] : 1 - p[index % dim]), 1);
    const bound = negativeLogMeanExp(samples.map(objective));
    for (let i = 0; i < dim; i++) gradient[i] += probability * bound * samples.reduce((score, b) => score + b[i] - p[i], 0);
  }
  return gradient;
}

/** The law of the number of ones among independent Bernoulli(q_i) units. */
export function poissonBinomial(q: readonly number[]): number[] {
  let law = [1];
  for (const qi of q) {
    const next = new Array<number>(law.length + 1).fill(0);
    law.forEach((mass, n) => {
      next[n] += mass * (1 - qi);
      next[n + 1] += mass * qi;
    });
    law = next;
  }
  return law;
}

/**
 * ∂E[L_k]/∂q_i for an objective of the count of successes among independent Bernoulli(q_i) events,
 * f = valueOfCount(Σ_i e_i): by symmetry over the k samples, ∂E[L_k]/∂q_i = k (E[L_k | e⁽¹⁾_i = 1] −
 * E[L_k | e⁽¹⁾_i = 0]), each an exact sum over the counts of the k samples.
 */
export function kSampleBoundCountDerivatives(q: readonly number[], k: number, valueOfCount: (count: number) => number): number[] {
  const dim = q.length;
  const allUnits = poissonBinomial(q);
  // E over the other k − 1 samples' counts of L_k given the first sample's count n.
  const boundGivenFirst = Array.from({ length: dim + 1 }, (_, first) => {
    let expectation = 0;
    for (let state = 0; state < (dim + 1) ** (k - 1); state++) {
      const counts = Array.from({ length: k - 1 }, (_, j) => Math.floor(state / (dim + 1) ** j) % (dim + 1));
      const probability = counts.reduce((product, count) => product * allUnits[count], 1);
      expectation += probability * negativeLogMeanExp([first, ...counts].map(valueOfCount));
    }
    return expectation;
  });
  return q.map((_, i) => {
    const others = poissonBinomial(q.filter((__, unit) => unit !== i));
    const given = (bit: number) => others.reduce((total, mass, count) => total + mass * boundGivenFirst[count + bit], 0);
    return k * (given(1) - given(0));
  });
}

/** ∇_θ E[L_k] for an objective of the count of ones, f(b) = valueOfCount(Σ_i b_i): ∂E[L_k]/∂p_i · p_i (1 − p_i). */
export function kSampleBoundGradientByCounts(logits: readonly number[], k: number, valueOfCount: (count: number) => number): number[] {
  const p = logits.map(sigmoid);
  return kSampleBoundCountDerivatives(p, k, valueOfCount).map((derivative, i) => derivative * p[i] * (1 - p[i]));
}

/**
 * ∇_θ E[L_k] for independent categorical units (unit i's K logits at θ[i·K …], π_i = softmax(θ_i)) by
 * brute force: every joint class assignment of the k samples with its probability, and the score
 * Σ_j (x⁽ʲ⁾_ic − π_ic) of element (i, c). `objective` reads a sample as its classes, one per unit.
 * (K^units)^k joint states: tiny codes only.
 */
export function categoricalKSampleBoundGradientByBruteForce(
  logits: readonly number[], classes: number, k: number, objective: (classOfUnit: number[]) => number,
): number[] {
  const units = logits.length / classes;
  const pi = unitProbabilities(logits, classes);
  const gradient = new Array<number>(logits.length).fill(0);
  const digits = units * k;
  for (let state = 0; state < classes ** digits; state++) {
    const samples = Array.from({ length: k }, (_, j) => Array.from({ length: units }, (_, unit) => Math.floor(state / classes ** (j * units + unit)) % classes));
    const probability = samples.reduce((product, sample) => sample.reduce((inner, drawn, unit) => inner * pi[unit][drawn], product), 1);
    const bound = negativeLogMeanExp(samples.map(objective));
    for (let unit = 0; unit < units; unit++) {
      for (let c = 0; c < classes; c++) {
        const score = samples.reduce((total, sample) => total + (sample[unit] === c ? 1 : 0) - pi[unit][c], 0);
        gradient[unit * classes + c] += probability * bound * score;
      }
    }
  }
  return gradient;
}

/**
 * ∇_θ E[L_k] on categorical-toy (unit i's target c_i: t on class i mod K, r = (1 − t)/(K − 1) elsewhere),
 * written from its definition: a one-hot x has ‖x_i − c_i‖² = 1 − 2 c_{i,x_i} + ‖c_i‖², so
 * f = Σ_i (1 + ‖c_i‖²) − 2 (D r + N (t − r)) depends on a sample only through the number N of units that
 * hit their target class, each with probability q_i = π_{i, i mod K}; and ∂q_i/∂θ_ic = q_i (δ_{c, i mod K} − π_ic).
 */
export function categoricalToyKSampleBoundGradient(logits: readonly number[], classes: number, t: number, k: number): number[] {
  const units = logits.length / classes;
  const rest = (1 - t) / (classes - 1);
  const constant = units * (1 + t * t + (classes - 1) * rest * rest) - 2 * units * rest;
  const pi = unitProbabilities(logits, classes);
  const q = pi.map((probabilities, unit) => probabilities[unit % classes]);
  const derivatives = kSampleBoundCountDerivatives(q, k, (hits) => constant - 2 * hits * (t - rest));
  return logits.map((_, index) => {
    const unit = Math.floor(index / classes);
    const c = index % classes;
    return derivatives[unit] * q[unit] * ((c === unit % classes ? 1 : 0) - pi[unit][c]);
  });
}
