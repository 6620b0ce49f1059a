// An estimator plug-in: plain REINFORCE (no baseline) on Bernoulli nodes, metadata beside the math.
// Run it:  npm run bench -- --plugin examples/plugins/reinforce.js --suite bernoulli-toy --estimator reinforce,bengio-unbiased
// The kernels are named functions over numbers (arithmetic, Math.*, if, ternaries, loops; no closures
// and no outer variables): the CPU backend inlines them into its loop and gpu.js compiles them to a shader.

/** Williams (1992): g = (b − p) · L, unbiased, with the variance of a score function and no baseline. */
export const reinforce = {
  id: 'reinforce',
  title: 'REINFORCE without baseline',
  citation: 'Williams (1992), "Simple statistical gradient-following algorithms for connectionist reinforcement learning", Machine Learning 8',
  family: 'score-function',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: true,
  params: {},
  // One uniform draw per element, bound to the kernels as `u`.
  noise: ['uniform'],
  evaluations: 1,
  needs: { objective: true, objectiveGradient: false },
  kernels: {
    // h, what the node hands downstream: a Bernoulli(p) sample.
    forward: function reinforceForward(p, u) {
      return u < p ? 1 : 0;
    },
    // This evaluation's share of dL/dtheta: d log P(h) / d theta times the objective.
    gradient: function reinforceGradient(h, p, objective) {
      return (h - p) * objective;
    },
  },
};
