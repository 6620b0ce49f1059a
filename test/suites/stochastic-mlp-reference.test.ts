import { describe, expect, it } from 'vitest';
import { hashSeed, Rng } from '../../core/rng.js';
import { mnistClasses, mnistPixels } from '../../suites/mnist-data.js';
import { stochasticMlp } from '../../suites/stochastic-mlp/classifier.js';
import { classifierReference, scoringPoint } from '../../suites/stochastic-mlp/fixed-point.js';
import { expectUnbiasedWithHonestErrors } from '../support/monte-carlo-replicates.js';
import { randomImages } from '../support/vae-tiny.js';

/** A classifier with 3 hidden Bernoulli units (8 states) and random weights; the output layer scaled up so that h matters to L. */
function tinyClassifier() {
  const hidden = 3;
  const network = stochasticMlp(hidden, 1);
  const params = network.initialParameters(new Rng(31));
  const head = network.slice(params, 2);
  for (let index = 0; index < head.length; index++) head[index] *= 6;
  const set = randomImages(4, 32);
  set.labels.set([3, 7, 0, 9]);
  return { hidden, network, params, set };
}

describe('the mnist-stochastic-mlp Monte Carlo reference', () => {
  it('is unbiased against enumerating the 8 hidden states of a tiny network, with honest standard errors', async () => {
    const { hidden, network, params, set } = tinyClassifier();
    const point = scoringPoint(network, params, set, 2);
    const [w1, w2] = [network.slice(params, 0), network.slice(params, 2)];
    const exact: number[] = [];
    for (let example = 0; example < 2; example++) {
      // Digit i·⌊4/2⌋ = 0 and 2; its logits, written out here: a_j = b_j + Σ_p x_p W[p][j].
      const digit = example * 2;
      expect(point.labels[example]).toBe(set.labels[digit]);
      const a = Array.from({ length: hidden }, (_, unit) => {
        let total = w1[mnistPixels * hidden + unit];
        for (let pixel = 0; pixel < mnistPixels; pixel++) total += set.images[digit * mnistPixels + pixel] * w1[pixel * hidden + unit];
        return total;
      });
      a.forEach((value, unit) => expect(point.logits[example * hidden + unit]).toBeCloseTo(value, 9));
      const p = a.map((value) => 1 / (1 + Math.exp(-value)));
      // dE[L]/da_i = Σ_h q(h) L(h) (h_i − p_i), the score-function identity, over all 8 states.
      const gradient = new Array<number>(hidden).fill(0);
      for (let code = 0; code < 2 ** hidden; code++) {
        const h = Array.from({ length: hidden }, (_, unit) => (code >> unit) & 1);
        const probability = h.reduce((product, bit, unit) => product * (bit ? p[unit] : 1 - p[unit]), 1);
        const z = Array.from({ length: mnistClasses }, (_, output) => w2[hidden * mnistClasses + output] + h.reduce((total, bit, unit) => total + bit * w2[unit * mnistClasses + output], 0));
        const loss = Math.log(z.reduce((total, value) => total + Math.exp(value), 0)) - z[set.labels[digit]];
        h.forEach((bit, unit) => (gradient[unit] += probability * loss * (bit - p[unit])));
      }
      exact.push(...gradient);
    }
    await expectUnbiasedWithHonestErrors(exact, 30, 40, (replicate) => classifierReference(network, point, 40, new Rng(hashSeed(6, replicate))));
    // The gradient is far from zero against one replicate's errors: a wrong reference would show.
    const one = await classifierReference(network, point, 40, new Rng(7));
    expect(Math.hypot(...exact)).toBeGreaterThan(5 * Math.hypot(...one.stdErr));
  });
});
