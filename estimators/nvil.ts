import { defineEstimator } from '../core/estimator.js';
import { hardBernoulliSample } from './hard-bernoulli-sample.js';

/**
 * NVIL for Bernoulli nodes: the score-function estimate with a learned baseline and a variance
 * normaliser, ĝ = (b − p)(f(b) − c) / s. Here the baseline c is one number per node (the toy suites have
 * no input for the paper's input-dependent baseline network), trained by regression on the objective
 * values of each step's samples: c ← c + rate · (mean f − c), an SGD step on ½ E[(f − c)²]. The scale is
 * s = max(1, √v), v a running average (decay α, 0.8 in the paper) of the variance of the learning
 * signal f − c over the step's samples. A scalar learned baseline plays the part of both the paper's
 * baseline and its running mean of the signal, so no separate mean is subtracted.
 *
 * Unbiased: the state at a step depends only on earlier steps' samples, so c is independent of the
 * sample it centres, and E[(b − p)] = 0. The normaliser s ≥ 1 divides by a constant of the step, so the
 * estimate's mean is the exact gradient divided by s: exactly the gradient where s = 1 (at the start,
 * where cells are scored, and whenever the signal's variance stays below 1), a positively rescaled
 * gradient otherwise (set `normalise` to 0 to keep s = 1).
 */
export const nvil = defineEstimator({
  id: 'nvil',
  title: 'NVIL (learned baseline, variance normalisation)',
  citation: 'Mnih & Gregor (2014), "Neural Variational Inference and Learning in Belief Networks", ICML, arXiv:1402.0030',
  family: 'score-function',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: true,
  params: {
    initialBaseline: { description: 'learned baseline c at the start', default: 0 },
    baselineRate: { description: 'step size of the baseline\'s regression on the objective values (0: c fixed)', default: 0.1, minimum: 0, maximum: 1 },
    varianceDecay: { description: 'decay α of the running variance of the learning signal', default: 0.8, minimum: 0, maximum: 0.999 },
    normalise: { description: '1: divide the learning signal by max(1, running standard deviation); 0: do not', default: 1, minimum: 0, maximum: 1, integer: true },
  },
  noise: ['uniform'],
  evaluations: 1,
  needs: { objective: true, objectiveGradient: false },
  kernels: {
    forward: hardBernoulliSample,
    gradient: function nvilGradient(p: number, h: number, objective: number, learnedBaseline: number, signalScale: number): number {
      return ((h - p) * (objective - learnedBaseline)) / signalScale;
    },
  },
  state: {
    names: ['learnedBaseline', 'signalVariance', 'signalScale'],
    init: (params) => ({ learnedBaseline: Number(params.initialBaseline), signalVariance: 0, signalScale: 1 }),
    needsObjectiveMoments: true,
    update: ({ values, params, objective }) => {
      if (!objective) throw new Error('nvil: the harness handed no objective values');
      const decay = Number(params.varianceDecay);
      const signalVariance = decay * values.signalVariance + (1 - decay) * objective.variance;
      return {
        learnedBaseline: values.learnedBaseline + Number(params.baselineRate) * (objective.mean - values.learnedBaseline),
        signalVariance,
        signalScale: Number(params.normalise) === 1 ? Math.max(1, Math.sqrt(signalVariance)) : 1,
      };
    },
  },
});
