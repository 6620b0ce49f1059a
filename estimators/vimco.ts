import { defineEstimator } from '../core/estimator.js';
import { groupSampleFields } from './group-samples.js';

/**
 * Sample `evaluation`'s term (L_k − L_k⁽⁻ʲ⁾)(h − p) of one element: h − p is the score of a Bernoulli
 * sample, and of a one-hot categorical sample's entry (∂log π_D/∂θ_c = D_c − π_c).
 */
function vimcoGradient(
  p: number, h: number, objective: number, objectiveSum: number, objectives: ArrayLike<number>, objectivesStart: number, evaluation: number, k: number,
): number {
  // L_k = −log((1/k) Σ_i exp(−f_i)) and L_k with f_e replaced by the others' mean, each computed around
  // the smallest value it uses, so that every exponential is at most 1 (written out, no helper taking an array, for gpu.js).
  const othersMean = (objectiveSum - objective) / (k - 1);
  let smallest = objectives[objectivesStart];
  let othersSmallest = othersMean;
  for (let i = 0; i < k; i++) {
    const value = objectives[objectivesStart + i];
    smallest = Math.min(smallest, value);
    if (Math.abs(i - evaluation) > 0.5) othersSmallest = Math.min(othersSmallest, value);
  }
  let total = 0;
  let othersTotal = Math.exp(othersSmallest - othersMean);
  for (let j = 0; j < k; j++) {
    const value = objectives[objectivesStart + j];
    total += Math.exp(smallest - value);
    if (Math.abs(j - evaluation) > 0.5) othersTotal += Math.exp(othersSmallest - value);
  }
  const bound = smallest - Math.log(total / k);
  const leftOut = othersSmallest - Math.log(othersTotal / k);
  return (bound - leftOut) * (h - p);
}

/**
 * VIMCO for the k-sample bound L_k = −log((1/k) Σ_j exp(−f(b⁽ʲ⁾))) (the importance-weighted bound when
 * f is the negative single-sample ELBO term): k independent samples, and for sample j the learning
 * signal L_k − L_k⁽⁻ʲ⁾, where L_k⁽⁻ʲ⁾ is L_k with f(b⁽ʲ⁾) replaced by the mean of the other k − 1 values
 * (the paper's geometric-mean replacement of w_j: log w_j → mean of the other log w_i):
 *   g = Σ_j (L_k − L_k⁽⁻ʲ⁾) ∂log q(b⁽ʲ⁾)/∂θ, with ∂log q(b)/∂θ = b − p.
 * L_k⁽⁻ʲ⁾ does not depend on b⁽ʲ⁾, so the estimate is unbiased for ∇E[L_k] when f does not depend on θ
 * other than through b (the toy suites); where it does (a VAE's log q term), the bound's gradient also
 * has the pathwise part Σ_j w̃_j ∂f_j/∂θ|_b, which the suite adds, not the estimator (mnist-binary-vae's
 * objective=iwae, see `evaluationWeights` in suites/vae/vae-objective.ts). It is not
 * unbiased for ∇E[f] (what suites score today): L_k is a different objective, hence
 * `claimsUnbiased: false`; at k = 1 L_k would be f. Bernoulli and categorical nodes: on a categorical
 * node each of the k samples is a one-hot D⁽ʲ⁾ ~ Categorical(π), π = softmax(θ), from its own exponential
 * draws, and the score is ∂log π_D/∂θ_c = D_c − π_c, so the same per-element rule serves both kinds
 * (the categorical kernels bind h = D_c and p = π_c); mnist-categorical-vae's objective=iwae adds the
 * pathwise part as the binary VAE's does.
 */
export const vimco = defineEstimator({
  id: 'vimco',
  title: 'VIMCO (k-sample bound, leave-one-out geometric-mean baselines)',
  citation: 'Mnih & Rezende (2016), "Variational inference for Monte Carlo objectives", ICML, arXiv:1602.06725',
  nodeKinds: ['bernoulli', 'categorical'],
  claimsUnbiased: false,
  params: {
    // As reinforce-loo's k: the GPU backend needs k × 1024 texture rows.
    k: { description: 'samples of the k-sample bound, each one objective evaluation (k >= 2)', default: 4, minimum: 2, maximum: 64, integer: true },
  },
  ...groupSampleFields(vimcoGradient, true),
});
