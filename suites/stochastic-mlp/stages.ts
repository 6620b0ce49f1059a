import type { Layer } from '../../models/layer.js';
import type { SequentialNetwork } from '../../models/network.js';
import { averageOverDraws, type SingleNodeStages } from '../../models/single-node.js';
import { Rng } from '../../core/rng.js';
import type { ObjectiveValues, StagedContext } from '../../core/suite.js';
import { gather, minibatchIndices, mnistClasses, mnistPixels, type MnistSet } from '../mnist-data.js';
import { classifierHead } from './classifier.js';

/** What a batch keeps between its stages. */
interface ClassifierPass {
  readonly images: Float32Array;
  readonly labels: Uint8Array;
  /** dL/dz and h (float32) of every h row, from the objective stage. */
  head: { readonly outputGradient: Float32Array; readonly h32: Float32Array } | null;
}

/** A dense layer draws no noise: the `Rng` it is handed is unused. */
const unusedRng = new Rng(0);

/**
 * The training stages of the one-hidden-layer classifier (784 → dense → Bernoulli node → dense → 10):
 * one estimate is the gradient of the mean cross-entropy of `batch` training digits (drawn without
 * replacement) with respect to every weight. L of each h row is its own digit's cross-entropy, so a
 * score-function estimator weighs each digit's sample by that digit's loss. The estimator's dL/da is
 * chained to the first layer's weights; the output layer's gradient is exact given h, averaged over the
 * estimator's evaluations.
 */
export function trainingStages(network: SequentialNetwork, context: Pick<StagedContext, 'ops'>, train: MnistSet, batch: number): SingleNodeStages<ClassifierPass> {
  const hidden = network.layers[0].outputWidth;
  const firstLayer: Layer = network.layers[0].compile(context as StagedContext);
  const head = classifierHead(network, context);
  const params32 = new Float32Array(network.parameterCount);
  const firstGradient = new Float32Array(network.layers[0].parameterCount);
  const headGradient = new Float32Array(network.layers[2].parameterCount);
  return {
    rowsPerEstimate: batch,
    async upstream(params, count, rng) {
      params32.set(params);
      const images = new Float32Array(count * batch * mnistPixels);
      const labels = new Uint8Array(count * batch);
      for (let estimate = 0; estimate < count; estimate++) {
        const drawn = gather(train, minibatchIndices(train.count, batch, rng));
        images.set(drawn.images, estimate * batch * mnistPixels);
        labels.set(drawn.labels, estimate * batch);
      }
      const pass = await firstLayer.forward(images, count * batch, network.slice(params32, 0), unusedRng, 0);
      return { pass: { images, labels, head: null }, logits: Float64Array.from(pass.output) };
    },
    async objective(pass, h, evaluations, wantGradient): Promise<ObjectiveValues> {
      const result = await head.objective(params32, h, evaluations, pass.labels, wantGradient);
      pass.head = result;
      return result;
    },
    async backward(pass, params, dLogits, node) {
      const { evaluations } = node;
      const count = dLogits.length / (batch * hidden);
      const hRows = batch * evaluations;
      const gradients = new Float64Array(count * params.length);
      for (let estimate = 0; estimate < count; estimate++) {
        // The loss is the minibatch mean; the output layer's gradient also averages over the estimate's draws.
        const logitGradient = new Float32Array(batch * hidden);
        for (let index = 0; index < logitGradient.length; index++) logitGradient[index] = dLogits[estimate * batch * hidden + index] / batch;
        const outputGradient = pass.head!.outputGradient.slice(estimate * hRows * mnistClasses, (estimate + 1) * hRows * mnistClasses);
        averageOverDraws(outputGradient, hRows, mnistClasses, node);
        const input = pass.images.subarray(estimate * batch * mnistPixels, (estimate + 1) * batch * mnistPixels);
        await firstLayer.backward({
          input, pass: { output: new Float32Array(0), saved: null }, outputGradient: logitGradient, rows: batch,
          params: network.slice(params32, 0), parameterGradient: firstGradient, wantInputGradient: false, step: 0,
        });
        await head.parameterGradient(params32, pass.head!.h32.subarray(estimate * hRows * hidden, (estimate + 1) * hRows * hidden), outputGradient, hRows, headGradient);
        const out = gradients.subarray(estimate * params.length, (estimate + 1) * params.length);
        out.set(firstGradient, network.offsets[0]);
        out.set(headGradient, network.offsets[2]);
      }
      return gradients;
    },
  };
}

/** The point where gradients are scored: parameters, digits, their labels and their hidden logits. */
export interface ScoringPoint {
  readonly params: Float64Array;
  readonly labels: Uint8Array;
  /** Hidden pre-activations a of the scored digits at `params`, [digits × hidden]. */
  readonly logits: Float64Array;
}

/**
 * The scoring stages: every estimate is the gradient of each scored digit's cross-entropy with
 * respect to its own hidden logits a (the estimator's dL/da), [digits × hidden] per estimate, at the
 * fixed point's parameters whatever the cell is handed.
 */
export function scoringStages(network: SequentialNetwork, context: Pick<StagedContext, 'ops'>, point: ScoringPoint): SingleNodeStages<null> {
  const head = classifierHead(network, context);
  const params32 = Float32Array.from(point.params);
  return {
    rowsPerEstimate: point.labels.length,
    async upstream(_params, count) {
      const logits = new Float64Array(count * point.logits.length);
      for (let estimate = 0; estimate < count; estimate++) logits.set(point.logits, estimate * point.logits.length);
      return { pass: null, logits };
    },
    objective(_pass, h, evaluations, wantGradient) {
      // Logit row r is scored digit r mod digits.
      const rows = h.length / network.layers[0].outputWidth / evaluations;
      const repeated = new Uint8Array(rows);
      for (let row = 0; row < rows; row++) repeated[row] = point.labels[row % point.labels.length];
      return head.objective(params32, h, evaluations, repeated, wantGradient);
    },
    async backward(_pass, _params, dLogits) {
      return dLogits;
    },
  };
}
