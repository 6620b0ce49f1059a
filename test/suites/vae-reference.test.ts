import { describe, expect, it } from 'vitest';
import { createJsTensorOps } from '../../backends/cpu-ops.js';
import { hashSeed, Rng } from '../../core/rng.js';
import { mnistPixels } from '../../suites/mnist-data.js';
import { localExpectationReference } from '../../suites/vae/reference.js';
import { decoderSlice, encoderSlice } from '../../suites/vae/vae-model.js';
import { enumeratedGradient, randomImages, tinyFamilies, tinyVae } from '../support/vae-tiny.js';

const ops = createJsTensorOps();

describe.each(tinyFamilies)('the Monte Carlo reference gradient with %s latents', (_name, family) => {
  it('is unbiased against enumeration, and its standard errors are honest (z-scores over replicates have mean square ≈ 1)', async () => {
    const { model, params } = tinyVae(family(), 21);
    const examples = 2;
    const images = new Float32Array(randomImages(examples, 22).images.map((value) => (value < 0.3 ? 1 : 0)));
    const params32 = Float32Array.from(params);
    const logits = Float64Array.from((await model.encoder.forward(ops, encoderSlice(model, params32), images, examples)).output);
    const point = { decoderParams: decoderSlice(model, params32), images, logits };
    const { width } = model.latents;
    const exact = new Float64Array(examples * width);
    for (let example = 0; example < examples; example++) {
      exact.set(
        await enumeratedGradient(model, point.decoderParams, images.subarray(example * mnistPixels, (example + 1) * mnistPixels), logits.subarray(example * width, (example + 1) * width)),
        example * width,
      );
    }
    const replicates = 30;
    const samples = 40;
    const squaredZ: number[] = [];
    const pooled = new Float64Array(exact.length);
    const pooledVariance = new Float64Array(exact.length);
    for (let replicate = 0; replicate < replicates; replicate++) {
      const reference = await localExpectationReference(ops, model, point, samples, new Rng(hashSeed(5, replicate)));
      for (let entry = 0; entry < exact.length; entry++) {
        const error = reference.gradient[entry] - exact[entry];
        if (reference.stdErr[entry] === 0) expect(Math.abs(error)).toBeLessThan(1e-6);
        else squaredZ.push((error / reference.stdErr[entry]) ** 2);
        pooled[entry] += reference.gradient[entry] / replicates;
        pooledVariance[entry] += reference.stdErr[entry] ** 2 / replicates ** 2;
      }
    }
    // With the standard deviation estimated from 40 samples, z follows Student's t with 39 degrees of
    // freedom: E[z²] = 39/37. Its mean over n values has standard deviation about √(2/n) (a bit more for t).
    const meanSquare = squaredZ.reduce((total, value) => total + value, 0) / squaredZ.length;
    expect(squaredZ.length).toBeGreaterThan(replicates * exact.length * 0.9);
    expect(Math.abs(meanSquare - (samples - 1) / (samples - 3))).toBeLessThan(5 * Math.sqrt(2.5 / squaredZ.length));
    for (let entry = 0; entry < exact.length; entry++) {
      expect(Math.abs(pooled[entry] - exact[entry]), `entry ${entry}`).toBeLessThan(5 * Math.sqrt(pooledVariance[entry]) + 1e-6);
    }
  });
});
