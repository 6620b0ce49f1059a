/**
 * The contract of a vector-quantized node (node kind `vector-quantized`): each row of its input holds
 * `vectors` latent vectors z_e of `width` d numbers, and a codebook of K codes e_0 … e_{K−1} (K × d,
 * trained) sits beside it. The node's hard op is the nearest-code lookup
 * z_q = e_k, k = argmin_j ‖z_e − e_j‖² (ties to the lowest index), which the node computes itself (the
 * distances through the backend's matrix products). An estimator on the node is a
 * `VectorQuantizerRule`: what the node hands downstream in training (z_q itself, or a relaxed mixture
 * of codes), and what reaches z_e and the codebook from dL/dh, including any auxiliary losses of its
 * own (codebook and commitment losses).
 *
 * Rules run on the host, one latent vector at a time: per vector they cost O(K · d) at most, the same
 * as one row of the distance product that the backend computes.
 */

/** What a rule sees of one latent vector. Arrays are the caller's views: read them, never keep them. */
export interface QuantizedVector {
  /** z_e, the encoder's d numbers for this vector. */
  readonly latent: Float64Array;
  /** The codebook, K × d row-major (code j at [j · d, (j + 1) · d)). */
  readonly codebook: Float64Array;
  /** K, codes in the codebook. */
  readonly codes: number;
  /** d, numbers per vector. */
  readonly width: number;
  /** The nearest code's index (argmin of the squared distance, ties to the lowest index). */
  readonly nearest: number;
  /** ‖z_e − e_j‖² for every code j (K numbers). */
  readonly distances: Float64Array;
  /** Standard exponential draws for this vector (`exponentialsPerVector` of them; empty when none). */
  readonly exponentials: Float64Array;
  /** The estimator's parameters (numbers only). */
  readonly params: Readonly<Record<string, number>>;
  /** Training step (0 when scoring). */
  readonly step: number;
}

/** The estimator's rule at a vector-quantized node. */
export interface VectorQuantizerRule {
  /**
   * Standard exponential (Exp(1)) draws per latent vector, as a function of K: K for a Gumbel
   * relaxation over the codebook (G = −log E), 0 for a deterministic rule. The node draws them from the
   * cell's seeded stream on the host, so every backend sees the same noise.
   */
  exponentialsPerVector(codes: number): number;
  /** Writes h, the d numbers the node hands downstream in training, to `out`. */
  forward(vector: QuantizedVector, out: Float64Array): void;
  /**
   * ADDS this vector's share of dL/dz_e to `latentGradient` (d numbers) and of dL/dcodebook to
   * `codebookGradient` (K × d), from dL/dh (`outputGradient`, d numbers). An auxiliary loss of the rule
   * (a codebook or commitment loss) enters with the factor `auxiliaryWeight`, the weight the objective
   * gives one row (1/rows for a minibatch mean): the auxiliary losses are summed over a row's vectors and
   * averaged over rows, as the objective is.
   */
  backward(vector: QuantizedVector, outputGradient: Float64Array, auxiliaryWeight: number, latentGradient: Float64Array, codebookGradient: Float64Array): void;
}

/** The nearest code of a row of K squared distances: the lowest index among the smallest. */
export function nearestCode(distances: ArrayLike<number>, start = 0, codes = distances.length - start): number {
  let best = 0;
  for (let code = 1; code < codes; code++) if (distances[start + code] < distances[start + best]) best = code;
  return best;
}

/**
 * Adds the gradients of van den Oord et al.'s (2017) auxiliary losses for one vector, weighted by
 * `weight`: the codebook loss ‖sg(z_e) − e_k‖², d/de_k = 2(e_k − z_e), moves the nearest code toward
 * the latent; the commitment loss β‖z_e − sg(e_k)‖², d/dz_e = 2β(z_e − e_k), holds the latent near
 * its code.
 */
export function addCodebookAndCommitment(vector: QuantizedVector, beta: number, weight: number, latentGradient: Float64Array, codebookGradient: Float64Array): void {
  const { latent, codebook, nearest, width } = vector;
  const codeStart = nearest * width;
  for (let index = 0; index < width; index++) {
    const difference = latent[index] - codebook[codeStart + index];
    latentGradient[index] += weight * 2 * beta * difference;
    codebookGradient[codeStart + index] -= weight * 2 * difference;
  }
}
