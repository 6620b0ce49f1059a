import { dense } from '../models/dense.js';
import { hardLayer, networkNodeUnsupportedReason } from '../models/hard-layer.js';
import { quantizerOp } from '../models/hard-ops.js';
import { SequentialNetwork, type CompiledNetwork } from '../models/network.js';
import { softmaxCrossEntropy } from '../models/softmax-cross-entropy.js';
import { numericValues } from '../core/parameters.js';
import { hashSeed, Rng } from '../core/rng.js';
import { gather, minibatchIndices, MnistDigits, mnistClasses, mnistPixels, type MnistSet } from './mnist-data.js';
import { defineSuite, type StagedEstimates, type SuiteDefinition } from '../core/suite.js';

/** Rows per forward pass when evaluating a whole set (bounds memory and GPU texture rows). */
const evaluationChunk = 2000;

/** The network: dense → k-bit quantizer → dense → k-bit quantizer → dense, full-precision weights. */
export function quantizedMlp(hidden: number, bits: number): SequentialNetwork {
  const op = quantizerOp(bits);
  return new SequentialNetwork([
    dense(mnistPixels, hidden), hardLayer(hidden, op),
    dense(hidden, hidden), hardLayer(hidden, op),
    dense(hidden, mnistClasses),
  ]);
}

/**
 * One estimate per minibatch of `batch` digits of `train` (drawn without replacement from the cell's
 * stream): the network's gradient of the minibatch's mean cross-entropy, backpropagated through every
 * layer, its hard nodes by the estimator's rule. The `estimates` of a staged network problem, and
 * `estimateInto`, the same estimate at float32 weights into a float32 gradient (float32 training).
 */
export function minibatchGradientEstimates(
  compiled: CompiledNetwork, parameterCount: number, train: MnistSet, batch: number,
): Pick<StagedEstimates, 'estimates' | 'estimateInto'> {
  // The float32 weights of the current point, refilled (not reallocated) at every call.
  const weights = new Float32Array(parameterCount);
  const minibatchGradient = async (params: Float32Array, rng: Rng, step: number, into?: Float32Array) => {
    const { images, labels } = gather(train, minibatchIndices(train.count, batch, rng));
    const pass = await compiled.forward(params, images, batch, rng, step);
    const { gradient } = softmaxCrossEntropy(pass.output, labels, batch, mnistClasses, true);
    return compiled.backward(params, pass, gradient!, step, into);
  };
  return {
    async estimates(point, count, rng, step) {
      weights.set(point);
      const out = new Float64Array(count * parameterCount);
      for (let estimate = 0; estimate < count; estimate++) out.set(await minibatchGradient(weights, rng, step), estimate * parameterCount);
      return out;
    },
    async estimateInto(params, gradient, rng, step) {
      await minibatchGradient(params, rng, step, gradient);
    },
  };
}

/** Mean cross-entropy and accuracy of the network on a whole set, in chunks. */
async function evaluateSet(network: CompiledNetwork, params: Float32Array, set: MnistSet): Promise<{ loss: number; accuracy: number }> {
  let lossSum = 0;
  let correct = 0;
  const noNoise = new Rng(0);
  for (let first = 0; first < set.count; first += evaluationChunk) {
    const rows = Math.min(evaluationChunk, set.count - first);
    const pass = await network.forward(params, set.images.subarray(first * mnistPixels, (first + rows) * mnistPixels), rows, noNoise, 0);
    const result = softmaxCrossEntropy(pass.output, set.labels.subarray(first, first + rows), rows, mnistClasses, false);
    lossSum += result.loss * rows;
    correct += result.correct;
  }
  return { loss: lossSum / set.count, accuracy: correct / set.count };
}

/**
 * A multilayer perceptron 784 → hidden → hidden → 10 on real MNIST digits with a k-bit activation
 * quantizer after each hidden layer, full-precision weights and softmax cross-entropy, trained on
 * minibatches: the straight-through estimator's home ground. One estimate is the coarse gradient of
 * one minibatch's mean loss with respect to every weight. A deterministic quantizer has no exact
 * gradient, so the suite has no reference and gradient scores are absent; it is scored by training.
 * `digits` is the data the suite reads (loaded on first use, then kept).
 */
export function createMnistQuantizedMlpSuite(digits = new MnistDigits()): SuiteDefinition {
  return defineSuite({
    id: 'mnist-quantized-mlp',
    title: 'MNIST MLP with k-bit quantized activations',
    description: '784 → 256 → 256 → 10 on 8 000 real MNIST training digits (2 000 test), q(x) = round(clip(x, 0, 1)(2^k − 1))/(2^k − 1) after each hidden layer, softmax cross-entropy, minibatches',
    nodeKind: 'deterministic',
    // A deterministic quantizer on real data has no exact gradient: no gradient scores, never faked.
    referenceKinds: [],
    // Minutes of training on a software GPU: runs when named with --suite, not in a plain `npm run bench`.
    inDefaultRun: false,
    unsupportedReason: (estimator, estimatorParams) => networkNodeUnsupportedReason(estimator, estimatorParams),
    params: {
      bits: { description: 'bits k of the activation quantizer (1: a step at 0.5)', default: 1, minimum: 1, maximum: 8, integer: true },
      batch: { description: 'digits per minibatch (one estimate)', default: 100, minimum: 1, maximum: 8000, integer: true },
      hidden: { description: 'units in each hidden layer', default: 256, minimum: 1, maximum: 4096, integer: true },
      startSeed: { description: 'seed of the initial weights (uniform in ±1/√inputs, as PyTorch initialises nn.Linear)', default: 1, minimum: 0, integer: true },
    },
    create(params) {
      const { bits, batch, hidden, startSeed } = numericValues(params);
      const network = quantizedMlp(hidden, bits);
      return {
        kind: 'staged',
        nodeKind: 'deterministic',
        initialParameters: network.initialParameters(new Rng(hashSeed('mnist-quantized-mlp', 'start', startSeed))),
        // Evaluating 10 000 digits costs tens of training steps: 20 points make the curves.
        // float32 parameters and Adam state, as the PyTorch peer trains (see TrainingDefaults.precision).
        trainingDefaults: { learningRate: 1e-3, samplesPerStep: 1, optimizer: 'adam', curvePoints: 20, precision: 'float32' },
        unsupportedReason: (estimator) => networkNodeUnsupportedReason(estimator),
        prepare(context) {
          const data = digits.load();
          const compiled = network.compile(context);
          return {
            ...minibatchGradientEstimates(compiled, network.parameterCount, data.train, batch),
            referenceGradient: async () => null,
            async evaluate(point) {
              const weights = Float32Array.from(point);
              const train = await evaluateSet(compiled, weights, data.train);
              const test = await evaluateSet(compiled, weights, data.test);
              return { loss: train.loss, metrics: { testLoss: test.loss, testAccuracy: test.accuracy } };
            },
            dispose() {},
          };
        },
      };
    },
  });
}

export const mnistQuantizedMlp = createMnistQuantizedMlpSuite();
