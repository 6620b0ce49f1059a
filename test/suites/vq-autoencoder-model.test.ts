import { describe, expect, it } from 'vitest';
import { codebookUsage, pixelCrossEntropy } from '../../suites/vq-autoencoder-model.js';

describe('the VQ autoencoder\'s scores', () => {
  it('codebook usage: perplexity K for equal use, 2 for two equal codes of four (half of them dead), 1 for one', () => {
    expect(codebookUsage([3, 3, 3, 3]).perplexity).toBeCloseTo(4, 12);
    expect(codebookUsage([5, 5, 0, 0])).toEqual({ perplexity: expect.closeTo(2, 12), deadCodeFraction: 0.5 });
    expect(codebookUsage([0, 7, 0, 0])).toEqual({ perplexity: 1, deadCodeFraction: 0.75 });
  });

  it('pixel cross-entropy: Σ softplus(z) − x z per image averaged over rows, gradient (σ(z) − x)/rows', () => {
    const logits = Float32Array.from([0, 2, -1, 3]);
    const pixels = Float32Array.from([0.5, 1, 0, 0.25]);
    const softplus = (z: number) => Math.log(1 + Math.exp(z));
    const expected = (softplus(0) - 0 + softplus(2) - 2 + softplus(-1) + softplus(3) - 0.75) / 2;
    const { loss, gradient } = pixelCrossEntropy(logits, pixels, 2, true);
    expect(loss).toBeCloseTo(expected, 6);
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    Array.from(logits).forEach((z, index) => expect(gradient![index]).toBeCloseTo((sigmoid(z) - pixels[index]) / 2, 6));
  });
});
