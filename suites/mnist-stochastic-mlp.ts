import { evaluationCount } from '../core/estimator.js';
import { networkNodeUnsupportedReason } from '../models/hard-layer.js';
import { singleNodeEstimates } from '../models/single-node.js';
import { numericValues } from '../core/parameters.js';
import { hashSeed, Rng } from '../core/rng.js';
import { defineSuite, type StagedEstimates, type StagedProblem, type SuiteDefinition } from '../core/suite.js';
import type { MonteCarloGradient } from './local-expectation.js';
import { MnistDigits, type MnistSplit } from './mnist-data.js';
import { minibatchGradientEstimates } from './mnist-quantized-mlp.js';
import { normalisedSplit, stochasticMlp } from './stochastic-mlp/classifier.js';
import { setEvaluator } from './stochastic-mlp/evaluation.js';
import { classifierReference, scoringPoint } from './stochastic-mlp/fixed-point.js';
import { scoringStages, trainingStages, type ScoringPoint } from './stochastic-mlp/stages.js';

const suiteId = 'mnist-stochastic-mlp';

/** h rows one scoring pass evaluates at most: bounds its memory. */
const scoringRowsPerPass = 8192;

/** What the suite loads or computes once per process and shares between its cells. */
interface SuiteOwnedCache {
  split: MnistSplit | null;
  readonly references: Map<string, Promise<MonteCarloGradient>>;
}

/**
 * A classifier with stochastic binary hidden units on real MNIST digits, the setting of Bengio,
 * Léonard & Courville (2013) and of the "binary stochastic neurons" experiments: 784 → `hidden`
 * Bernoulli(σ(a)) units (`layers` 1 or 2 such layers) → 10 → softmax cross-entropy, trained on
 * minibatches with SGD at learning rate 0.1 and momentum 0.9 as the published PyTorch reproduction. With one hidden
 * layer every Bernoulli estimator runs (the output layer is the objective of a single hard node: score
 * functions get each digit's loss, antithetic and leave-one-out estimators their evaluations); with two,
 * only those that backpropagate dL/dh. Scored by the training and test loss and accuracy along training
 * under two test-time rules (see `testTimeRules`), and, with one hidden layer, by the gradient of
 * `scoreExamples` digits' losses with respect to their hidden logits at the starting point against a
 * local-expectation Monte Carlo reference. `digits` is the data the suite reads (loaded once).
 */
export function createMnistStochasticMlpSuite(digits = new MnistDigits()): SuiteDefinition {
  const cache: SuiteOwnedCache = { split: null, references: new Map() };
  const loadData = () => (cache.split ??= normalisedSplit(digits.load()));
  return defineSuite({
    id: suiteId,
    title: 'MNIST classifier with stochastic binary hidden units',
    description: '784 → 100 Bernoulli(σ(a)) units (1 or 2 layers) → 10, softmax cross-entropy, on 8 000 real MNIST training digits (2 000 test), SGD 0.1 with momentum 0.9 on minibatches of 64; test accuracy sampled and thresholded; gradient w.r.t. the hidden logits at the start against a local-expectation Monte Carlo reference (1 layer)',
    nodeKind: 'bernoulli',
    referenceKinds: ['monte-carlo'],
    // Minutes of training per cell: runs when named with --suite, not in a plain `npm run bench`.
    inDefaultRun: false,
    params: {
      layers: { description: 'layers of stochastic binary units (2: only estimators that backpropagate dL/dh, no gradient scores)', default: 1, minimum: 1, maximum: 2, integer: true },
      hidden: { description: 'Bernoulli units in each hidden layer', default: 100, minimum: 1, maximum: 4096, integer: true },
      batch: { description: 'digits per minibatch (one estimate)', default: 64, minimum: 1, maximum: 8000, integer: true },
      startSeed: { description: 'seed of the initial weights (uniform in ±1/√inputs, as PyTorch initialises nn.Linear), the scored digits\' reference and the evaluation noise', default: 1, minimum: 0, integer: true },
      scoreExamples: { description: 'training digits (evenly spaced) whose hidden-logit gradients are scored at the starting point', default: 4, minimum: 1, maximum: 1000, integer: true },
      referenceSamples: { description: 'local-expectation samples per scored digit for the Monte Carlo reference gradient', default: 4000, minimum: 2, maximum: 1_000_000, integer: true },
    },
    create(values): StagedProblem {
      const params = numericValues(values);
      const { layers, hidden, batch, startSeed, scoreExamples, referenceSamples } = params;
      const network = stochasticMlp(hidden, layers);
      const initialParameters = network.initialParameters(new Rng(hashSeed(suiteId, 'start', startSeed)));
      const point = (): ScoringPoint => scoringPoint(network, initialParameters, loadData().train, scoreExamples);
      const reference = (): Promise<MonteCarloGradient> => {
        const key = JSON.stringify({ hidden, startSeed, scoreExamples, referenceSamples });
        let computed = cache.references.get(key);
        if (!computed) {
          computed = classifierReference(network, point(), referenceSamples, new Rng(hashSeed(suiteId, 'reference', startSeed)));
          cache.references.set(key, computed);
        }
        return computed;
      };
      return {
        kind: 'staged',
        nodeKind: 'bernoulli',
        initialParameters,
        // The published protocol's SGD (learning rate 0.1, momentum 0.9) and minibatch; evaluating 10 000 digits costs tens of steps: 20 curve points.
        trainingDefaults: { learningRate: 0.1, optimizer: 'sgd-momentum', samplesPerStep: 1, curvePoints: 20 },
        recordedParams: { parameterCount: network.parameterCount },
        unsupportedReason: (estimator) => (layers === 1 ? null : networkNodeUnsupportedReason(estimator)),
        prepare(context): StagedEstimates {
          const { estimator, estimatorParams } = context;
          const data = loadData();
          // Scoring the weights is not the estimator's work: on the host, so that it costs the same whatever the backend (a
          // software-rendered GPU took 30 times the CPU's time for the 10 000 digits) and gives the same numbers at the same weights.
          const hostOps = context.createHostOps(1);
          const evaluateSet = setEvaluator(network, { ops: hostOps });
          const evaluate: StagedEstimates['evaluate'] = async (current) => {
            const params32 = Float32Array.from(current);
            // The same sampling noise at every point of every curve: differences come from the weights.
            const rng = new Rng(hashSeed(suiteId, 'evaluation', startSeed));
            const train = await evaluateSet(params32, data.train, rng);
            const test = await evaluateSet(params32, data.test, rng);
            return {
              loss: train.sample.loss,
              metrics: {
                testLoss: test.sample.loss, testAccuracy: test.sample.accuracy,
                thresholdTestLoss: test.threshold.loss, thresholdTestAccuracy: test.threshold.accuracy, thresholdTrainLoss: train.threshold.loss,
              },
            };
          };
          if (layers !== 1) {
            return { ...minibatchGradientEstimates(network.compile(context), network.parameterCount, data.train, batch), referenceGradient: async () => null, evaluate, dispose: () => void hostOps.dispose() };
          }
          const node = context.hardNode(hidden);
          const training = trainingStages(network, context, data.train, batch);
          const estimatesPerPass = Math.max(1, Math.floor(scoringRowsPerPass / (scoreExamples * evaluationCount(estimator, estimatorParams))));
          return {
            estimates: (current, count, rng, step) => singleNodeEstimates(training, node, estimator, current, count, rng, step),
            // The gradient with respect to the weights has no reference; the scores are taken w.r.t. the hidden logits instead.
            referenceGradient: async () => null,
            evaluate,
            scoring: {
              length: scoreExamples * hidden,
              async estimates(count, rng) {
                const fixed = point();
                const stages = scoringStages(network, context, fixed);
                const out = new Float64Array(count * fixed.logits.length);
                for (let done = 0; done < count; done += estimatesPerPass) {
                  const passCount = Math.min(estimatesPerPass, count - done);
                  out.set(await singleNodeEstimates(stages, node, estimator, fixed.params, passCount, rng, 0), done * fixed.logits.length);
                }
                return out;
              },
              async reference() {
                const { gradient, stdErr } = await reference();
                return { kind: 'monte-carlo', gradient, stdErr };
              },
            },
            dispose: () => void hostOps.dispose(),
          };
        },
      };
    },
  });
}

export const mnistStochasticMlp = createMnistStochasticMlpSuite();
