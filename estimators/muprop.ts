import { defineEstimator } from '../core/estimator.js';

/**
 * MuProp: REINFORCE with a control variate from the first-order Taylor expansion of f around the
 * mean-field point μ = p. Evaluation 0 is the sample b = 1[u < p]; evaluation 1 the mean-field point
 * h = p (both with the same u, so the term below can recompute b), and
 *   g_i = [f(b) − f(μ) − f'(μ)ᵀ(b − μ)] (b_i − p_i) + f'(μ)_i p_i (1 − p_i),
 * the first part a score-function term (∂log p(b)/∂θ_i = b_i − p_i) and the second the analytic mean of
 * the control variate (∂μ_i/∂θ_i = p_i (1 − p_i)). Unbiased for any f: E[f'(μ)ᵀ(b − μ)(b_i − p_i)] =
 * f'(μ)_i p_i (1 − p_i). The sum f'(μ)ᵀ(b − μ) over the units is the estimator's row term.
 */
export const muprop = defineEstimator({
  id: 'muprop',
  title: 'MuProp (Taylor control variate at the mean-field point)',
  citation: 'Gu, Levine, Sutskever & Mnih (2016), "MuProp: Unbiased Backpropagation for Stochastic Neural Networks", ICLR, arXiv:1511.05176',
  family: 'score-function',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: true,
  params: {},
  noise: ['uniform'],
  evaluations: 2,
  // Evaluation 1, the mean-field point, feeds the control variate alone.
  sampleEvaluations: 1,
  needs: { objective: true, objectiveGradient: true },
  kernels: {
    forward: function mupropForward(p: number, u: number, evaluation: number): number {
      if (evaluation < 0.5) return Math.ceil(p - u) + 0;
      return p;
    },
    // f'(μ)_i (b_i − μ_i), read at the mean-field evaluation (dLdh there is f'(μ)_i; b_i is the sample's, from u again).
    rowTerm: function mupropTaylorTerm(p: number, u: number, dLdh: number, evaluation: number): number {
      if (evaluation < 0.5) return 0;
      return dLdh * (Math.ceil(p - u) + 0 - p);
    },
    gradient: function mupropGradient(
      p: number, h: number, dLdh: number, objectives: ArrayLike<number>, objectivesStart: number, rowTermSum: number, evaluation: number,
    ): number {
      if (evaluation < 0.5) return (objectives[objectivesStart] - objectives[objectivesStart + 1] - rowTermSum) * (h - p);
      return dLdh * p * (1 - p);
    },
  },
});
