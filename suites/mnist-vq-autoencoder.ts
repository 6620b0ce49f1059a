import { numericValues } from '../core/parameters.js';
import { hashSeed, Rng } from '../core/rng.js';
import { defineSuite, type SuiteDefinition } from '../core/suite.js';
import type { CompiledNetwork } from '../models/network.js';
import { networkNodeUnsupportedReason } from '../models/hard-layer.js';
import { MnistDigits, mnistPixels, type MnistSet } from './mnist-data.js';
import { gather, minibatchIndices } from './mnist-data.js';
import { codebookUsage, pixelCrossEntropy, quantizerLayerIndex, quantizerPass, vqAutoencoder } from './vq-autoencoder-model.js';
import { codebookMovingAverageUpdate, codebookUpdates, type CodebookUpdate } from '../models/codebook-ema.js';

/** Rows per forward pass when evaluating a whole set (bounds memory and GPU texture rows). */
const evaluationChunk = 2000;

/** Mean reconstruction loss of a set through the network with nearest codes, and how often each code was chosen. */
async function evaluateSet(network: CompiledNetwork, params: Float32Array, set: MnistSet, codes: number): Promise<{ loss: number; counts: Float64Array }> {
  let lossSum = 0;
  const counts = new Float64Array(codes);
  const noNoise = new Rng(0);
  for (let first = 0; first < set.count; first += evaluationChunk) {
    const rows = Math.min(evaluationChunk, set.count - first);
    const images = set.images.subarray(first * mnistPixels, (first + rows) * mnistPixels);
    const pass = await network.forward(params, images, rows, noNoise, 0);
    lossSum += pixelCrossEntropy(pass.output, images, rows, false).loss * rows;
    for (const code of quantizerPass(pass.passes).nearest) counts[code]++;
  }
  return { loss: lossSum / set.count, counts };
}

/**
 * An autoencoder on real MNIST digits with a vector-quantized bottleneck (VQ-VAE's, without its prior):
 * encoder 784 → hidden → `vectors` latent vectors of d numbers, each replaced by its nearest of K trained
 * codes, decoder back to 784 pixel logits, binary cross-entropy against the grey pixels. One estimate
 * is the gradient of one minibatch's mean loss (plus the estimator's auxiliary losses) with respect to
 * every weight and the codebook. The reconstruction as a function of the encoder is piecewise constant
 * (the nearest code changes only at boundaries), so no Monte Carlo reference of "the" encoder gradient
 * exists to score against: the suite has no gradient scores and is scored by training — reconstruction
 * loss, and codebook usage (perplexity, dead codes) of the test digits along training. The codebook
 * learns from the estimator's gradient (`codebook=loss`) or follows moving averages of the latent
 * vectors assigned to each code (`codebook=ema`, `models/codebook-ema.ts`), set after each step.
 */
export function createMnistVqAutoencoderSuite(digits = new MnistDigits()): SuiteDefinition {
  return defineSuite({
    id: 'mnist-vq-autoencoder',
    title: 'MNIST autoencoder with a vector-quantized bottleneck',
    description: '784 → 128 → 4 latent vectors of 8, each the nearest of 64 trained codes, → 128 → 784 on 8 000 real MNIST training digits (2 000 test), pixel cross-entropy, minibatches; scored by reconstruction and codebook usage',
    nodeKind: 'vector-quantized',
    // The reconstruction is piecewise constant in the encoder: no honest reference gradient, no gradient scores.
    referenceKinds: [],
    // Minutes of training: runs when named with --suite.
    inDefaultRun: false,
    unsupportedReason: (estimator, estimatorParams) => networkNodeUnsupportedReason(estimator, estimatorParams),
    params: {
      codes: { description: 'codes K in the codebook', default: 64, minimum: 2, maximum: 4096, integer: true },
      width: { description: 'numbers d per latent vector (and per code)', default: 8, minimum: 1, maximum: 256, integer: true },
      vectors: { description: 'latent vectors per digit', default: 4, minimum: 1, maximum: 64, integer: true },
      hidden: { description: 'units in the encoder\'s and the decoder\'s hidden layer', default: 128, minimum: 1, maximum: 4096, integer: true },
      batch: { description: 'digits per minibatch (one estimate)', default: 100, minimum: 1, maximum: 8000, integer: true },
      startSeed: { description: 'seed of the initial weights (as PyTorch initialises nn.Linear) and codebook (uniform in ±1/K)', default: 1, minimum: 0, integer: true },
      codebook: {
        type: 'string',
        description: "how the codebook learns: loss (the estimator's gradient, VQ-VAE's codebook loss) or ema (moving averages of its assignments, VQ-VAE's appendix; the codebook's gradient is dropped, the commitment loss kept)",
        default: 'loss',
        check: (value) => ((codebookUpdates as readonly string[]).includes(value) ? null : `codebook must be one of ${codebookUpdates.join(', ')}, got ${value}`),
      },
      emaDecay: { description: 'decay γ of the moving averages (codebook=ema only)', default: 0.99, minimum: 0, maximum: 0.9999 },
    },
    create(params) {
      const { codes, width, vectors, hidden, batch, startSeed, emaDecay } = numericValues(params);
      const codebookUpdate = params.codebook as CodebookUpdate;
      const networks = vqAutoencoder(hidden, { vectors, width, codes });
      const parameterCount = networks.training.parameterCount;
      const codebookOffset = networks.training.offsets[quantizerLayerIndex];
      return {
        kind: 'staged',
        nodeKind: 'vector-quantized',
        initialParameters: networks.training.initialParameters(new Rng(hashSeed('mnist-vq-autoencoder', 'start', startSeed))),
        trainingDefaults: { learningRate: 1e-3, samplesPerStep: 1, optimizer: 'adam', curvePoints: 20 },
        unsupportedReason: (estimator) => networkNodeUnsupportedReason(estimator),
        prepare(context) {
          const data = digits.load();
          const training = networks.training.compile(context);
          // Scoring the weights is not the estimator's work: on the host, so that it costs the same whatever the backend (a
          // software-rendered GPU took 30 times the CPU's time for the 10 000 digits) and gives the same numbers at the same weights.
          const hostOps = context.createHostOps(1);
          const evaluation = networks.evaluation.compile({ ...context, ops: hostOps });
          const weights = new Float32Array(parameterCount);
          // codebook=ema: the codebook follows its assignments' moving averages, not its gradient.
          const movingAverages = codebookUpdate === 'ema' ? codebookMovingAverageUpdate({ codes, width }, codebookOffset, emaDecay) : null;
          return {
            async estimates(point, count, rng, step) {
              weights.set(point);
              const out = new Float64Array(count * parameterCount);
              for (let estimate = 0; estimate < count; estimate++) {
                const { images } = gather(data.train, minibatchIndices(data.train.count, batch, rng));
                const pass = await training.forward(weights, images, batch, rng, step);
                const { gradient } = pixelCrossEntropy(pass.output, images, batch, true);
                const row = estimate * parameterCount;
                out.set(await training.backward(weights, pass, gradient!, step), row);
                if (movingAverages) {
                  movingAverages.record(quantizerPass(pass.passes));
                  out.fill(0, row + codebookOffset, row + codebookOffset + codes * width);
                }
              }
              return out;
            },
            referenceGradient: async () => null,
            async evaluate(point) {
              const current = Float32Array.from(point);
              const train = await evaluateSet(evaluation, current, data.train, codes);
              const test = await evaluateSet(evaluation, current, data.test, codes);
              const usage = codebookUsage(test.counts);
              return { loss: train.loss, metrics: { testLoss: test.loss, codebookPerplexity: usage.perplexity, deadCodeFraction: usage.deadCodeFraction } };
            },
            ...(movingAverages ? { ownUpdate: movingAverages } : {}),
            dispose: () => void hostOps.dispose(),
          };
        },
      };
    },
  });
}

export const mnistVqAutoencoder = createMnistVqAutoencoderSuite();
