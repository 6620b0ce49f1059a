/**
 * The exponential-moving-average codebook update of VQ-VAE (van den Oord et al. 2017, appendix A.1;
 * Razavi et al. 2019, VQ-VAE-2): instead of following the codebook loss's gradient, code k becomes
 * e_k = m_k / N_k, where N_k is a moving average of how many latent vectors chose code k per training
 * step and m_k one of the sum of those vectors. The details follow sonnet's `VectorQuantizerEMA` (the
 * library of the VQ-VAE authors' group, used by VQ-VAE-2), so that the rule is one people run:
 * - both averages start at 0 and are debiased as Adam's moments are, N̂ = N / (1 − γ^t) after t
 *   updates (so after one update they are that step's counts and sums, not a mix with zeros);
 * - the counts are Laplace-smoothed before dividing, Ñ_k = (N̂_k + ε) / (n + K ε) · n with
 *   n = Σ_k N̂_k and ε = 1e-5, so that a code no vector chose divides by a small positive number
 *   instead of 0 (its m̂_k is 0, so it sits at the origin until a vector chooses it).
 */
import type { OwnParameterUpdate } from '../core/suite.js';
import type { VectorQuantizerPass, VectorQuantizerShape } from './vector-quantizer.js';

/** How the codebook of a vector-quantized node learns: by its loss's gradient, or by moving averages. */
export const codebookUpdates = ['loss', 'ema'] as const;
export type CodebookUpdate = (typeof codebookUpdates)[number];

/** ε of the Laplace smoothing of the counts (sonnet's default). */
export const emaSmoothing = 1e-5;

/** What one training step's latent vectors assigned to each code: counts n_k and sums Σ z_e. */
export interface CodeAssignments {
  /** n_k, vectors that chose code k (K numbers). */
  readonly counts: Float64Array;
  /** Σ of the vectors that chose code k, K × d row-major. */
  readonly sums: Float64Array;
}

/** The moving averages of a codebook: undebiased N_k and m_k, and how many updates they have had. */
export interface CodebookMovingAverages extends CodeAssignments {
  updates: number;
}

/** Empty assignments (and moving averages before their first update) for K codes of d numbers. */
export function emptyAssignments(codes: number, width: number): CodebookMovingAverages {
  return { counts: new Float64Array(codes), sums: new Float64Array(codes * width), updates: 0 };
}

/**
 * Adds `count` latent vectors ([count × d], row-major) that chose codes `nearest` to `into`.
 */
export function addAssignments(into: CodeAssignments, nearest: ArrayLike<number>, latents: ArrayLike<number>, count: number, width: number): void {
  for (let vector = 0; vector < count; vector++) {
    const code = nearest[vector];
    into.counts[code] += 1;
    for (let index = 0; index < width; index++) into.sums[code * width + index] += latents[vector * width + index];
  }
}

/** Forgets every assignment (the start of a step) or every update (the start of a training run). */
export function clearAssignments(assignments: CodeAssignments & { updates?: number }): void {
  assignments.counts.fill(0);
  assignments.sums.fill(0);
  if (assignments.updates !== undefined) assignments.updates = 0;
}

/** One update of the moving averages with a step's assignments: N ← γ N + (1 − γ) n, m ← γ m + (1 − γ) Σ z_e. */
export function updateMovingAverages(averages: CodebookMovingAverages, step: CodeAssignments, decay: number): void {
  for (let code = 0; code < averages.counts.length; code++) averages.counts[code] = decay * averages.counts[code] + (1 - decay) * step.counts[code];
  for (let entry = 0; entry < averages.sums.length; entry++) averages.sums[entry] = decay * averages.sums[entry] + (1 - decay) * step.sums[entry];
  averages.updates += 1;
}

/**
 * The codebook the averages give, e_k = m̂_k / Ñ_k (debiased, Laplace-smoothed; see the file's
 * comment), written to `codebook` (K × d). Leaves `codebook` as it is before the first update, or when
 * no vector has been assigned at all (n = 0: nothing to average).
 */
export function writeCodebook(averages: CodebookMovingAverages, decay: number, codebook: Float64Array): void {
  if (averages.updates === 0) return;
  const codes = averages.counts.length;
  const width = averages.sums.length / codes;
  const debias = 1 - decay ** averages.updates;
  let total = 0;
  for (let code = 0; code < codes; code++) total += averages.counts[code] / debias;
  if (!(total > 0)) return;
  for (let code = 0; code < codes; code++) {
    const smoothed = ((averages.counts[code] / debias + emaSmoothing) / (total + codes * emaSmoothing)) * total;
    for (let index = 0; index < width; index++) codebook[code * width + index] = averages.sums[code * width + index] / debias / smoothed;
  }
}

/**
 * The moving-average rule of one vector-quantized node as its problem's own parameter update: `record`
 * adds the assignments of each training forward pass (the nearest codes under the codebook before the
 * step, as sonnet assigns before it updates); after the optimiser's step the codebook, at
 * `codebookOffset` in the trained parameters, is set from the averages (the steps' assignments summed
 * over all of a step's minibatches, as one larger batch would give).
 */
export function codebookMovingAverageUpdate(
  shape: Pick<VectorQuantizerShape, 'codes' | 'width'>, codebookOffset: number, decay: number,
): OwnParameterUpdate & { record(pass: VectorQuantizerPass): void } {
  const { codes, width } = shape;
  const step = emptyAssignments(codes, width);
  const averages = emptyAssignments(codes, width);
  return {
    startRun() {
      clearAssignments(averages);
      clearAssignments(step);
    },
    startStep() {
      clearAssignments(step);
    },
    record(pass) {
      addAssignments(step, pass.nearest, pass.latents, pass.count, width);
    },
    finishStep(params) {
      updateMovingAverages(averages, step, decay);
      writeCodebook(averages, decay, params.subarray(codebookOffset, codebookOffset + codes * width));
    },
  };
}
