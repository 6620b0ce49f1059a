import { describe, expect, it } from 'vitest';
import { createJsTensorOps } from '../../backends/cpu-ops.js';
import { hashSeed, Rng } from '../../core/rng.js';
import { mnistPixels } from '../../suites/mnist-data.js';
import { localExpectationReference } from '../../suites/vae/reference.js';
import { decoderSlice, encoderSlice } from '../../suites/vae/vae-model.js';
import { expectUnbiasedWithHonestErrors } from '../support/monte-carlo-replicates.js';
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
    await expectUnbiasedWithHonestErrors(exact, 30, 40, (replicate) => localExpectationReference(ops, model, point, 40, new Rng(hashSeed(5, replicate))));
  });
});
