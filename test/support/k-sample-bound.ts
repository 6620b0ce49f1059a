/**
 * Exact gradients of the k-sample bound L_k = −log((1/k) Σ_j exp(−f(b⁽ʲ⁾))), b⁽ʲ⁾ i.i.d. with
 * independent Bernoulli(sigmoid(θ_i)) units, written for the tests from the definition (VIMCO's
 * expectation): by brute force over every joint state of the k samples, and, for objectives that depend
 * on a sample only through its number of ones (bernoulli-toy: f = D ℓ(0) + N (ℓ(1) − ℓ(0))), by
 * enumerating the k counts with their Poisson-binomial laws.
 */

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

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
 * ∇_θ E[L_k] for an objective of the count of ones, f(b) = valueOfCount(Σ_i b_i): by symmetry over the
 * k samples, ∂E[L_k]/∂θ_i = k p_i (1 − p_i) (E[L_k | b⁽¹⁾_i = 1] − E[L_k | b⁽¹⁾_i = 0]), each an exact
 * sum over the counts of the k samples.
 */
export function kSampleBoundGradientByCounts(logits: readonly number[], k: number, valueOfCount: (count: number) => number): number[] {
  const dim = logits.length;
  const p = logits.map(sigmoid);
  const allUnits = poissonBinomial(p);
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
  return p.map((pi, i) => {
    const others = poissonBinomial(p.filter((_, unit) => unit !== i));
    const given = (bit: number) => others.reduce((total, mass, count) => total + mass * boundGivenFirst[count + bit], 0);
    return k * pi * (1 - pi) * (given(1) - given(0));
  });
}
