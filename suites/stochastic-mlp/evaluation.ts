import type { Layer } from '../../models/layer.js';
import type { SequentialNetwork } from '../../models/network.js';
import { softmaxCrossEntropy } from '../../models/softmax-cross-entropy.js';
import { Rng } from '../../core/rng.js';
import type { StagedContext } from '../../core/suite.js';
import { mnistClasses, mnistPixels, type MnistSet } from '../mnist-data.js';

/**
 * How the hidden units act at test time: `sample` draws each unit from Bernoulli(σ(a)) once per digit
 * (the published reproduction's rule: its test pass runs the same stochastic activation as training),
 * `threshold` takes h = 1{a > 0}, the mode of the unit, a deterministic network.
 */
export const testTimeRules = ['sample', 'threshold'] as const;
export type TestTimeRule = (typeof testTimeRules)[number];

/** Mean cross-entropy and accuracy of a set under one rule. */
export interface SetScore {
  readonly loss: number;
  readonly accuracy: number;
}

/** Rows per forward pass when evaluating a whole set (bounds memory and GPU texture rows). */
const evaluationChunk = 2000;

/** A dense layer draws no noise: the `Rng` it is handed is unused. */
const unusedRng = new Rng(0);

/** The hidden units' values from their pre-activations under `rule`, on the host; `rng` only for `sample`. */
function hiddenUnits(preActivation: Float32Array, rule: TestTimeRule, rng: Rng): Float32Array {
  const h = new Float32Array(preActivation.length);
  if (rule === 'threshold') {
    for (let index = 0; index < h.length; index++) h[index] = preActivation[index] > 0 ? 1 : 0;
    return h;
  }
  const uniforms = new Float64Array(h.length);
  rng.fillUniform(uniforms, uniforms.length);
  for (let index = 0; index < h.length; index++) h[index] = uniforms[index] < 1 / (1 + Math.exp(-preActivation[index])) ? 1 : 0;
  return h;
}

/**
 * Scores the network at fixed parameters under every test-time rule, whatever estimator trained it:
 * the dense layers run on the tensor operations of `context` (the suite hands it the host's, whatever
 * the cell's backend), the hidden units on the host (thresholded, or sampled from Bernoulli(σ(a)) with a
 * stream the caller seeds, so that every point of a curve and every estimator meet the same noise).
 */
export function setEvaluator(network: SequentialNetwork, context: Pick<StagedContext, 'ops'>) {
  const layers: (Layer | null)[] = network.layers.map((layer) => (layer.parameterCount > 0 ? layer.compile(context as StagedContext) : null));
  return async function evaluateSet(params: Float32Array, set: MnistSet, rng: Rng): Promise<Record<TestTimeRule, SetScore>> {
    const totals = { sample: { loss: 0, correct: 0 }, threshold: { loss: 0, correct: 0 } };
    for (let first = 0; first < set.count; first += evaluationChunk) {
      const rows = Math.min(evaluationChunk, set.count - first);
      const labels = set.labels.subarray(first, first + rows);
      // The first dense layer's output is the same under both rules: computed once per chunk.
      const firstOutput = (await layers[0]!.forward(set.images.subarray(first * mnistPixels, (first + rows) * mnistPixels), rows, network.slice(params, 0), unusedRng, 0)).output;
      for (const rule of testTimeRules) {
        let current = firstOutput;
        for (let index = 1; index < layers.length; index++) {
          const layer = layers[index];
          current = layer ? (await layer.forward(current, rows, network.slice(params, index), unusedRng, 0)).output : hiddenUnits(current, rule, rng);
        }
        const result = softmaxCrossEntropy(current, labels, rows, mnistClasses, false);
        totals[rule].loss += result.loss * rows;
        totals[rule].correct += result.correct;
      }
    }
    const score = (rule: TestTimeRule): SetScore => ({ loss: totals[rule].loss / set.count, accuracy: totals[rule].correct / set.count });
    return { sample: score('sample'), threshold: score('threshold') };
  };
}
