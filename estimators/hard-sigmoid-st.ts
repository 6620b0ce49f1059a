import { defineEstimator } from '../core/estimator.js';

/**
 * Straight-through through a hard sigmoid: the node samples b ~ Bernoulli(q) with
 * q = clip((θ + 1)/2, 0, 1) (not the suite's σ(θ)), and the backward pass copies dL/db to θ times the
 * hard sigmoid's slope, ½ inside −1 < θ < 1 and 0 outside. Biased: E[g] = ½ 1{|θ| < 1} E_q[dL/db], and
 * its samples follow a different distribution than the suite's node.
 */
export const hardSigmoidSt = defineEstimator({
  id: 'hard-sigmoid-st',
  title: 'Straight-through, hard-sigmoid Bernoulli',
  citation: 'Courbariaux, Hubara, Soudry, El-Yaniv & Bengio (2016), arXiv:1602.02830 (hard sigmoid); Chung, Ahn & Bengio (2017), arXiv:1609.01704',
  family: 'pathwise-surrogate',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: false,
  params: {},
  noise: ['uniform'],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  kernels: {
    forward: function hardSigmoidSample(theta: number, u: number): number {
      const probability = Math.min(Math.max((theta + 1) * 0.5, 0), 1);
      // 1[u < probability] without a branch, as in hardBernoulliSample.
      return Math.ceil(probability - u) + 0;
    },
    gradient: function hardSigmoidStGradient(theta: number, dLdh: number): number {
      return theta > -1 && theta < 1 ? 0.5 * dLdh : 0;
    },
  },
});
