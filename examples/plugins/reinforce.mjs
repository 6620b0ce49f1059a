// Plain REINFORCE (no baseline) as an estimator plug-in: the example of docs/check.md and of
// README "Adding an estimator". Check it with `node dist/scripts/check.js examples/plugins/reinforce.mjs`.
export const reinforce = {
  id: 'reinforce',
  title: 'REINFORCE without baseline',
  citation: 'Williams (1992), Machine Learning 8, 229-256',
  family: 'score-function',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: true,
  params: {},
  noise: ['uniform'],
  evaluations: 1,
  needs: { objective: true, objectiveGradient: false },
  kernels: {
    // b ~ Bernoulli(p) from the uniform draw u.
    forward: function reinforceForward(p, u) {
      return u < p ? 1 : 0;
    },
    // d log P(b) / d theta = b - p for a Bernoulli(sigmoid(theta)) sample, times the objective.
    gradient: function reinforceGradient(h, p, objective) {
      return (h - p) * objective;
    },
  },
};
