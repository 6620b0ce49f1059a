import { defineEstimator } from '../core/estimator.js';
import { hardBernoulliSample } from './hard-bernoulli-sample.js';
import { baselineRegression, initialBaselineArrays, rowBaselines } from './nvil-baseline-network.js';
import { adamArrayStep } from './state-adam.js';

/** Unbiased variance of values (0 for fewer than two). */
function sampleVariance(values: Float64Array): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((total, value) => total + value, 0) / values.length;
  return values.reduce((total, value) => total + (value - mean) ** 2, 0) / (values.length - 1);
}

/**
 * NVIL for Bernoulli nodes (Mnih & Gregor 2014): the score-function estimate with a learned,
 * input-dependent baseline and a variance normaliser,
 *   ĝ = (b − p)(L − c(x)) / s,   c(x) = c₀ + s₀ · r_ψ(σ(a(x)))   (see `nvil-baseline-network.ts`).
 * Per training step, from the step's own rows (one row is one sample; on a network, one image of the
 * minibatch): the scalar c₀ moves towards the rows' mean L, c₀ ← c₀ + rate · (mean L − c₀) (the paper's
 * running mean of the signal); the network r_ψ (`hidden` tanh units; the paper used 100 for its MNIST
 * models) takes one Adam step on its regression of (L − c₀) / s₀ over the rows, where
 * s₀ = max(1, √v₀) and v₀ is a running average of the rows' variance of L; the normaliser is s =
 * max(1, √v), v a running average (decay α, 0.8 in the paper) of the rows' variance of the learning
 * signal L − c(x). On networks (the VAEs, the stochastic MLP) x differs by row and c(x) follows each
 * image; on the kernel toys every row has the same logits, so c(x) is one number per step, a scalar
 * baseline. `networkRate` 0 keeps r_ψ at zero (the scalar baseline c₀ alone, everywhere).
 *
 * Unbiased: c₀, ψ and s at a step depend only on earlier steps' samples, and c(x) reads the row's input
 * to the node, never its sample b, so E[(b − p)(L − c(x)) | x] = ∇E[L | x]. The normaliser s ≥ 1
 * divides by a constant of the step: the estimate's mean is the exact gradient divided by s, exactly the
 * gradient where s = 1 (at the start, where cells are scored, and whenever the signal's variance stays
 * below 1), a positively rescaled gradient otherwise (set `normalise` to 0 to keep s = 1).
 */
export const nvil = defineEstimator({
  id: 'nvil',
  title: 'NVIL (input-dependent learned baseline, variance normalisation)',
  citation: 'Mnih & Gregor (2014), "Neural Variational Inference and Learning in Belief Networks", ICML, arXiv:1402.0030',
  family: 'score-function',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: true,
  params: {
    initialBaseline: { description: 'scalar baseline c₀ at the start', default: 0 },
    baselineRate: { description: 'step size of c₀\'s running mean of the objective values (0: c₀ fixed)', default: 0.1, minimum: 0, maximum: 1 },
    varianceDecay: { description: 'decay α of the running variances of the objective and of the learning signal', default: 0.8, minimum: 0, maximum: 0.999 },
    normalise: { description: '1: divide the learning signal by max(1, running standard deviation); 0: do not', default: 1, minimum: 0, maximum: 1, integer: true },
    hidden: { description: 'tanh hidden units of the input-dependent baseline network r_ψ', default: 100, minimum: 1, maximum: 4096, integer: true },
    networkRate: { description: 'Adam learning rate of r_ψ on its regression (0: r_ψ stays zero, the baseline is the scalar c₀)', default: 0.003, minimum: 0 },
    networkScale: { description: 'standard deviation of r_ψ\'s initial hidden-layer weights (its output layer starts at zero)', default: 0.1, minimum: 0 },
    networkSeed: { description: 'seed of r_ψ\'s initial weights', default: 1, minimum: 0, integer: true },
  },
  noise: ['uniform'],
  evaluations: 1,
  needs: { objective: true, objectiveGradient: false },
  kernels: {
    forward: hardBernoulliSample,
    gradient: function nvilGradient(p: number, h: number, objective: number, rowBaseline: number, signalScale: number): number {
      return ((h - p) * (objective - rowBaseline)) / signalScale;
    },
  },
  hostTerms: {
    elementNames: [],
    rowNames: ['rowBaseline'],
    compute: (batch) => ({ element: {}, row: { rowBaseline: rowBaselines(batch) } }),
  },
  state: {
    names: ['learnedBaseline', 'objectiveVariance', 'signalVariance', 'signalScale'],
    init: (params) => ({ learnedBaseline: Number(params.initialBaseline), objectiveVariance: 0, signalVariance: 0, signalScale: 1 }),
    needsObjectiveMoments: true,
    needsNodeSamples: true,
    update: ({ values, params, objective, samples, arrays }) => {
      if (!objective || !samples) throw new Error('nvil: the harness handed no objective values');
      const decay = Number(params.varianceDecay);
      const { objectives, baselines } = baselineRegression(samples, params, arrays, false);
      const signalVariance = decay * values.signalVariance + (1 - decay) * sampleVariance(objectives.map((value, row) => value - baselines[row]));
      return {
        learnedBaseline: values.learnedBaseline + Number(params.baselineRate) * (objective.mean - values.learnedBaseline),
        objectiveVariance: decay * values.objectiveVariance + (1 - decay) * objective.variance,
        signalVariance,
        signalScale: Number(params.normalise) === 1 ? Math.max(1, Math.sqrt(signalVariance)) : 1,
      };
    },
    arrays: {
      init: (params, shape) => initialBaselineArrays(params, shape.dim),
      update: ({ arrays, params, step, samples }): Record<string, Float64Array> => {
        const regression = baselineRegression(samples ?? [], params, arrays);
        const decay = Number(params.varianceDecay);
        // The inputs' running moments, for the next steps' standardisation (this step's rows were standardised by earlier ones).
        const inputs = {
          inputMean: arrays.inputMean.map((mean, unit) => decay * mean + (1 - decay) * regression.inputMean[unit]),
          inputVariance: arrays.inputVariance.map((variance, unit) => decay * variance + (1 - decay) * regression.inputVariance[unit]),
        };
        const next = adamArrayStep(arrays.baselineWeights, arrays.baselineWeightsMoment, arrays.baselineWeightsSquare, regression.weightGradient, Number(params.networkRate), step);
        return { ...inputs, ...(next ? { baselineWeights: next.weights, baselineWeightsMoment: next.moment, baselineWeightsSquare: next.square } : {}) };
      },
    },
  },
});
