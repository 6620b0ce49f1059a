import { evaluationCount, type EstimatorDefinition, type NodeKind } from '../../core/estimator.js';
import { numericValues, type ParameterSpecs } from '../../core/parameters.js';
import { hashSeed, Rng } from '../../core/rng.js';
import { singleNodeEstimateInto, singleNodeEstimates } from '../../models/single-node.js';
import { defineSuite, type ScoringTarget, type StagedContext, type StagedProblem, type SuiteDefinition } from '../../core/suite.js';
import { computeFixedPoint, referenceAt, scoredImages, scoringPointAt, type FixedPoint, type ScoredBound } from './fixed-point.js';
import { MnistDigits } from '../mnist-data.js';
import { evaluationSet, meanNegativeElbo } from './vae-evaluation.js';
import { initialVaeParameters, type VaeModel } from './vae-model.js';
import { scoringStages, trainingStages } from './vae-stages.js';
import { vaeObjectives, type VaeObjective } from './vae-objective.js';

/** What distinguishes one VAE suite from another: its model and minibatch, from its parameters. */
export interface VaeSuiteSpec {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly nodeKind: NodeKind;
  /** The suite's own parameters (architecture); `vaeCommonParams` are added to them. */
  readonly params: ParameterSpecs;
  model(params: Readonly<Record<string, number>>): VaeModel;
}

/**
 * Parameters every VAE suite has: data, training, and the fixed point of the gradient scores. The
 * reference's samples per image default to what brings its standard error near a tenth of the
 * estimators' at the default --samples (the categorical code's local expectations vary more).
 */
export function vaeCommonParams(defaultBatch: number, defaultReferenceSamples: number): ParameterSpecs {
  return {
    batch: { description: 'training images per minibatch (one estimate is one minibatch gradient)', default: defaultBatch, minimum: 1, maximum: 10000, integer: true },
    warmupSteps: { description: 'Adam steps (leave-one-out pair, k = 2, lr 1e-3) from the start to the fixed point where gradients are scored', default: 1000, minimum: 0, maximum: 1_000_000, integer: true },
    scoreExamples: { description: 'training images at the fixed point whose encoder-logit gradients are scored', default: 4, minimum: 1, maximum: 1000, integer: true },
    referenceSamples: { description: 'local-expectation samples per scored image for the Monte Carlo reference gradient', default: defaultReferenceSamples, minimum: 2, maximum: 1_000_000, integer: true },
    evalExamples: { description: 'images of each split (training, test), evenly spaced over it, on which -ELBO is evaluated along training', default: 1000, minimum: 1, maximum: 10000, integer: true },
    modelSeed: { description: 'seeds the initial weights, the warm-up, the scored images and the reference (not the cells\' own streams)', default: 1, minimum: 0, maximum: 2 ** 32 - 1, integer: true },
  };
}

/**
 * The `objective` parameter of a VAE suite: 'elbo' (the default, the single-sample ELBO term averaged
 * over the estimator's evaluations) or 'iwae', the k-sample importance-weighted bound over the
 * estimator's k evaluations (k is the estimator's own number of evaluations, vimco's and
 * reinforce-loo's `k`: the suite has no second knob that could disagree with it). Under 'iwae' the
 * training loss, the scored gradient and the reference are the bound's (see `iwaeUnsupportedReason`).
 */
export const vaeObjectiveParam: ParameterSpecs = {
  objective: {
    type: 'string',
    description: "elbo: -ELBO averaged over the estimator's evaluations; iwae: the negative k-sample importance-weighted bound over the estimator's k independent samples (vimco, reinforce-loo)",
    default: 'elbo',
    check: (value) => ((vaeObjectives as readonly string[]).includes(value) ? null : `objective must be one of ${vaeObjectives.join(', ')}, got ${value}`),
  },
};

/**
 * Why an estimator cannot train or be scored on the k-sample bound: its evaluations must be k
 * independent samples h_j ~ q (a score-function estimator drawing noise per evaluation); antithetic
 * pairs, relaxed or mean-field evaluations and a single evaluation are not.
 */
export function iwaeUnsupportedReason(estimator: EstimatorDefinition): string | null {
  if (estimator.noisePerEvaluation && estimator.family === 'score-function') return null;
  return `objective=iwae needs k independent samples of h per estimate, and ${estimator.id}'s evaluations are not (use vimco or reinforce-loo)`;
}

/** h rows one scoring pass decodes at most: bounds its memory (rows × 784 float32 per array). */
const scoringRowsPerPass = 4096;

/** A scoring point with its reference: the warm-up's fixed point, or a point along training (`--score-at`). */
type ScoredAt = FixedPoint;

/** What a VAE suite loads or computes once per process and shares between its cells. */
interface SuiteOwnedCache {
  readonly digits: MnistDigits;
  readonly fixedPoints: Map<string, Promise<FixedPoint>>;
}

/**
 * A VAE suite on binarised MNIST: staged cells (encoder → the estimator's hard node → decoder and
 * −ELBO term), trained with Adam at lr 1e-3 on one minibatch gradient per step; evaluated by the mean
 * −ELBO of a fixed set of training images (the loss) and of test images (`testNegativeElbo`); gradient
 * scores at a fixed point after warm-up against a Monte Carlo reference (see `computeFixedPoint`). The
 * data and the fixed points are loaded and computed once per process, on an object this suite owns.
 */
export function defineVaeSuite(spec: VaeSuiteSpec): SuiteDefinition {
  const cache: SuiteOwnedCache = { digits: new MnistDigits(), fixedPoints: new Map() };
  const loadData = () => cache.digits.load();
  return defineSuite({
    id: spec.id,
    title: spec.title,
    description: spec.description,
    nodeKind: spec.nodeKind,
    params: spec.params,
    // Minutes per cell at the defaults: run when named (--suite mnist-binary-vae).
    inDefaultRun: false,
    referenceKinds: ['monte-carlo'],
    create(values): StagedProblem {
      const params = numericValues(values);
      const model = spec.model(params);
      const { batch, modelSeed } = params;
      const objective = (values.objective ?? 'elbo') as VaeObjective;
      const initialParameters = initialVaeParameters(model, new Rng(hashSeed(modelSeed, spec.id, 'initial')));
      const fixedPoint = (createHostOps: StagedContext['createHostOps'], bound: ScoredBound) => {
        // Everything but the evaluation sets' size determines the point (and the bound its reference).
        const key = JSON.stringify({ ...params, evalExamples: undefined, bound });
        let point = cache.fixedPoints.get(key);
        if (!point) {
          point = computeFixedPoint(createHostOps, model, loadData().train, initialParameters, {
            warmupSteps: params.warmupSteps, batch, scoreExamples: params.scoreExamples, referenceSamples: params.referenceSamples, bound, seed: hashSeed(modelSeed, spec.id),
          });
          cache.fixedPoints.set(key, point);
        }
        return point;
      };
      return {
        kind: 'staged',
        nodeKind: spec.nodeKind,
        initialParameters,
        // Evaluating −ELBO on 2 × evalExamples images costs more than a training step: a few dozen points make the curves.
        // float32 parameters and Adam state, as the PyTorch peers train (see TrainingDefaults.precision).
        trainingDefaults: { learningRate: 1e-3, optimizer: 'adam', samplesPerStep: 1, curvePoints: 20, precision: 'float32' },
        recordedParams: { parameterCount: model.parameterCount },
        unsupportedReason: (estimator) => (objective === 'iwae' ? iwaeUnsupportedReason(estimator) : null),
        prepare(context) {
          const { ops, estimator, estimatorParams } = context;
          const bound: ScoredBound = { objective, k: objective === 'iwae' ? evaluationCount(estimator, estimatorParams) : 1 };
          const data = loadData();
          const node = context.hardNode(model.latents.width, model.latents.nodeKind === 'categorical' ? { classes: model.latents.classes } : {});
          // A training step's pixels on the backend's vectorised float32 kernels, where it has them (see DecodeOptions).
          const training = trainingStages(ops, model, data.train, batch, objective, { pixelLossOnBackend: true });
          const evaluationRng = new Rng(hashSeed(modelSeed, spec.id, 'evaluation'));
          const trainSet = evaluationSet(data.train, params.evalExamples, model.latents.units, evaluationRng);
          const testSet = evaluationSet(data.test, params.evalExamples, model.latents.units, evaluationRng);
          const scoredLength = params.scoreExamples * model.latents.width;
          const estimatesPerPass = Math.max(1, Math.floor(scoringRowsPerPass / (params.scoreExamples * evaluationCount(estimator, estimatorParams))));
          const suiteSeed = hashSeed(modelSeed, spec.id);
          /** The estimator's encoder-logit gradients at a scoring point (found when first asked for), against the point's reference. */
          const scoringTarget = (scoredAt: () => Promise<ScoredAt>): ScoringTarget => ({
            length: scoredLength,
            async estimates(count, rng, step = 0) {
              const point = await scoredAt();
              const stages = scoringStages(ops, model, point, objective);
              const out = new Float64Array(count * scoredLength);
              for (let done = 0; done < count; done += estimatesPerPass) {
                const passCount = Math.min(estimatesPerPass, count - done);
                out.set(await singleNodeEstimates(stages, node, estimator, point.params, passCount, rng, step), done * scoredLength);
              }
              return out;
            },
            async reference() {
              const { reference } = await scoredAt();
              return { kind: 'monte-carlo', gradient: reference.gradient, stdErr: reference.stdErr };
            },
          });
          /** The scored images at trained parameters `at`, on the host (as the fixed point), with their reference there. */
          const pointAndReferenceAt = async (at: Float64Array): Promise<ScoredAt> => {
            const hostOps = context.createHostOps(1);
            try {
              const point = await scoringPointAt(hostOps, model, at, scoredImages(data.train, params.scoreExamples, suiteSeed));
              return { ...point, params: at, reference: await referenceAt(hostOps, model, point, params.referenceSamples, suiteSeed, bound) };
            } finally {
              await hostOps.dispose();
            }
          };
          return {
            estimates: (current, count, rng, step) => singleNodeEstimates(training, node, estimator, current, count, rng, step),
            estimateInto: (current, gradient, rng, step) => singleNodeEstimateInto(training, node, estimator, current, gradient, rng, step),
            // The gradient with respect to the weights has no reference; the scores are taken at the fixed point instead.
            referenceGradient: async () => null,
            async evaluate(current) {
              const params32 = Float32Array.from(current);
              const testNegativeElbo = await meanNegativeElbo(ops, model, params32, testSet);
              return { loss: await meanNegativeElbo(ops, model, params32, trainSet), metrics: { testNegativeElbo } };
            },
            scoring: scoringTarget(() => fixedPoint(context.createHostOps, bound)),
            // Along training (--score-at): the same images at the trajectory's weights, with the reference recomputed there.
            scoringAt(current) {
              const at = Float64Array.from(current);
              let scored: Promise<ScoredAt> | undefined;
              return scoringTarget(() => (scored ??= pointAndReferenceAt(at)));
            },
            dispose() {},
          };
        },
      };
    },
  });
}
