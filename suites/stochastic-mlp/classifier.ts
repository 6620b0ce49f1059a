import { dense } from '../../models/dense.js';
import { hardLayer } from '../../models/hard-layer.js';
import type { Layer } from '../../models/layer.js';
import { SequentialNetwork } from '../../models/network.js';
import { softmaxCrossEntropy } from '../../models/softmax-cross-entropy.js';
import { Rng } from '../../core/rng.js';
import type { ObjectiveValues, StagedContext } from '../../core/suite.js';
import { mnistClasses, mnistPixels, type MnistSet, type MnistSplit } from '../mnist-data.js';

/**
 * The input normalisation of the published PyTorch reproduction (PyTorch's MNIST example): pixel
 * (x − 0.1307) / 0.3081, the training set's mean and standard deviation of full MNIST.
 */
export const pixelMean = 0.1307;
export const pixelStdDev = 0.3081;

/** A set with its pixels normalised as `pixelMean`, `pixelStdDev` say (a copy). */
function normalisedSet(set: MnistSet): MnistSet {
  return { count: set.count, labels: set.labels, images: set.images.map((pixel) => (pixel - pixelMean) / pixelStdDev) };
}

/** The split with normalised pixels. */
export function normalisedSplit(split: MnistSplit): MnistSplit {
  return { train: normalisedSet(split.train), test: normalisedSet(split.test) };
}

/**
 * The classifier 784 → hidden Bernoulli units (× `layers`) → 10 → softmax: dense layers with a hard
 * node of `hidden` stochastic binary units after each hidden dense layer. Parameters: each dense
 * layer's W [inputs × outputs] and b, in layer order (see `SequentialNetwork`).
 */
export function stochasticMlp(hidden: number, layers: number): SequentialNetwork {
  const specs = [dense(mnistPixels, hidden), hardLayer(hidden)];
  for (let layer = 1; layer < layers; layer++) specs.push(dense(hidden, hidden), hardLayer(hidden));
  specs.push(dense(hidden, mnistClasses));
  return new SequentialNetwork(specs);
}

/** The output layer (hidden → 10) bound to a cell, and the cross-entropy of each h row against its example's label. */
export interface ClassifierHead {
  /**
   * L of every h row ([rows · evaluations × hidden]; row r belongs to example ⌊r / evaluations⌋) and,
   * when asked, dL/dh; also dL/dz of every row, which the output layer's weights backpropagate.
   */
  objective(params: Float32Array, h: Float64Array, evaluations: number, labels: ArrayLike<number>, wantGradient: boolean): Promise<ObjectiveValues & { readonly outputGradient: Float32Array; readonly h32: Float32Array }>;
  /** The output layer's weight gradient from rows of h and their dL/dz. */
  parameterGradient(params: Float32Array, h32: Float32Array, outputGradient: Float32Array, rows: number, out: Float32Array): Promise<void>;
}

/** A dense layer draws no noise: the `Rng` it is handed is unused. */
const unusedRng = new Rng(0);

/** The head of `network` (its last dense layer, whose slice is `network.slice(params, last)`), compiled for a cell. */
export function classifierHead(network: SequentialNetwork, context: Pick<StagedContext, 'ops'>): ClassifierHead {
  const last = network.layers.length - 1;
  const hidden = network.layers[last].inputWidth;
  const layer: Layer = network.layers[last].compile(context as StagedContext);
  return {
    async objective(params, h, evaluations, labels, wantGradient) {
      const rows = h.length / hidden;
      const h32 = Float32Array.from(h);
      const head = network.slice(params, last);
      const pass = await layer.forward(h32, rows, head, unusedRng, 0);
      const value = new Float64Array(rows);
      const outputGradient = new Float32Array(rows * mnistClasses);
      for (let row = 0; row < rows; row++) {
        // One row at a time: L of each row alone, and its dL/dz = softmax − one-hot (not divided by rows).
        const single = softmaxCrossEntropy(pass.output.subarray(row * mnistClasses, (row + 1) * mnistClasses), [labels[Math.floor(row / evaluations)]], 1, mnistClasses, true);
        value[row] = single.loss;
        outputGradient.set(single.gradient!, row * mnistClasses);
      }
      let gradient: Float64Array | null = null;
      if (wantGradient) {
        const inputGradient = await layer.backward({ input: h32, pass, outputGradient, rows, params: head, parameterGradient: null, wantInputGradient: true, step: 0 });
        gradient = Float64Array.from(inputGradient!);
      }
      return { value, gradient, outputGradient, h32 };
    },
    async parameterGradient(params, h32, outputGradient, rows, out) {
      const head = network.slice(params, last);
      const pass = { output: new Float32Array(0), saved: null };
      await layer.backward({ input: h32, pass, outputGradient, rows, params: head, parameterGradient: out, wantInputGradient: false, step: 0 });
    },
  };
}
