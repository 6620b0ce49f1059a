import type { SequentialNetwork } from '../../models/network.js';
import { softmaxCrossEntropy } from '../../models/softmax-cross-entropy.js';
import type { Rng } from '../../core/rng.js';
import { localExpectationGradient, type MonteCarloGradient } from '../local-expectation.js';
import { mnistClasses, mnistPixels, type MnistSet } from '../mnist-data.js';
import { bernoulliLatents } from '../vae/latent-family.js';
import type { ScoringPoint } from './stages.js';

/**
 * The scored digits of a one-hidden-layer classifier at `params`: `examples` digits of `set` spread
 * evenly over it (digit i·⌊N / examples⌋), their labels, and their hidden logits a = x·W + b computed
 * on the host in float64, so that every cell, whatever its backend, is scored at the same point.
 */
export function scoringPoint(network: SequentialNetwork, params: Float64Array, set: MnistSet, examples: number): ScoringPoint {
  const hidden = network.layers[0].outputWidth;
  const first = network.slice(params, 0);
  const stride = Math.max(1, Math.floor(set.count / examples));
  const labels = new Uint8Array(examples);
  const logits = new Float64Array(examples * hidden);
  for (let example = 0; example < examples; example++) {
    const digit = (example * stride) % set.count;
    labels[example] = set.labels[digit];
    const row = logits.subarray(example * hidden, (example + 1) * hidden);
    row.set(first.subarray(mnistPixels * hidden));
    for (let pixel = 0; pixel < mnistPixels; pixel++) {
      const x = set.images[digit * mnistPixels + pixel];
      if (x === 0) continue;
      for (let unit = 0; unit < hidden; unit++) row[unit] += x * first[pixel * hidden + unit];
    }
  }
  return { params, labels, logits };
}

/**
 * The Monte Carlo reference of each scored digit's dE[L]/da, E over its Bernoulli(σ(a)) hidden units
 * and L its cross-entropy, by the local expectation gradient (`localExpectationGradient`, the VAE
 * suites' reference): `samples` draws per digit from `rng`, the output layer evaluated on the host
 * (float64 products; no backend, no estimator).
 */
export function classifierReference(network: SequentialNetwork, point: ScoringPoint, samples: number, rng: Rng): Promise<MonteCarloGradient> {
  const hidden = network.layers[0].outputWidth;
  const last = network.layers.length - 1;
  const head = network.slice(point.params, last);
  const bias = head.subarray(hidden * mnistClasses);
  return localExpectationGradient(bernoulliLatents(hidden), point.logits, samples, rng, async (example, h) => {
    const rows = h.length / hidden;
    const values = new Float64Array(rows);
    const z = new Float32Array(mnistClasses);
    const label = [point.labels[example]];
    for (let row = 0; row < rows; row++) {
      for (let output = 0; output < mnistClasses; output++) {
        let total = bias[output];
        for (let unit = 0; unit < hidden; unit++) total += h[row * hidden + unit] * head[unit * mnistClasses + output];
        z[output] = total;
      }
      values[row] = softmaxCrossEntropy(z, label, 1, mnistClasses, false).loss;
    }
    return values;
  });
}
