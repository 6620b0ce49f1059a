import { describe, expect, it } from 'vitest';
import { createJsTensorOps } from '../../backends/cpu-ops.js';
import { hashSeed, Rng } from '../../core/rng.js';
import { builtInEstimators } from '../../estimators/index.js';
import { withDefaults } from '../../core/parameters.js';
import { isStagedProblem } from '../../core/suite.js';
import { mnistBinaryVae } from '../../suites/mnist-binary-vae.js';
import { mnistPixels } from '../../suites/mnist-data.js';
import { kSampleBoundReference, localExpectationReference } from '../../suites/vae/reference.js';
import { boundWithOneReplaced } from '../../suites/k-sample-local-expectation.js';
import { decoderSlice, encoderSlice } from '../../suites/vae/vae-model.js';
import { evaluationWeights } from '../../suites/vae/vae-objective.js';
import { expectUnbiasedWithHonestErrors } from '../support/monte-carlo-replicates.js';
import { enumeratedGradient, enumeratedKSampleBoundGradient, randomImages, tinyFamilies, tinyVae } from '../support/vae-tiny.js';
import { bernoulliLatents, type LatentFamily } from '../../suites/vae/latent-family.js';

const ops = createJsTensorOps();

/** Two scored images of a tiny VAE (3 Bernoulli latents by default), with their encoder logits. */
async function tinyPoint(latents: LatentFamily = bernoulliLatents(3)) {
  const { model, params } = tinyVae(latents, 21);
  const examples = 2;
  const images = new Float32Array(randomImages(examples, 22).images.map((value) => (value < 0.3 ? 1 : 0)));
  const params32 = Float32Array.from(params);
  const logits = Float64Array.from((await model.encoder.forward(ops, encoderSlice(model, params32), images, examples)).output);
  return { model, examples, point: { decoderParams: decoderSlice(model, params32), images, logits } };
}

describe('the k-sample bound\'s Monte Carlo reference on a tiny VAE', () => {
  // Bernoulli latents only: a categorical unit's K entries sum to zero, so their z-scores are not the
  // independent values the z² check assumes (the 20 000-group check below covers categorical latents).
  const cases = [2, 3].map((k) => ['bernoulli', k, tinyFamilies[0][1]] as const);
  it.each(cases)('%s latents, k = %i: unbiased against the enumerated gradient of E[L_k], with honest standard errors; not the ELBO\'s gradient', async (_name, k, latents) => {
    const { model, examples, point } = await tinyPoint(latents());
    const { width } = model.latents;
    const exact = new Float64Array(examples * width);
    const elbo = new Float64Array(examples * width);
    for (let example = 0; example < examples; example++) {
      const image = point.images.subarray(example * mnistPixels, (example + 1) * mnistPixels);
      const logits = point.logits.subarray(example * width, (example + 1) * width);
      exact.set(await enumeratedKSampleBoundGradient(model, point.decoderParams, image, logits, k), example * width);
      elbo.set(await enumeratedGradient(model, point.decoderParams, image, logits), example * width);
    }
    await expectUnbiasedWithHonestErrors(exact, 30, 40, (replicate) => kSampleBoundReference(ops, model, point, k, 40, new Rng(hashSeed(6, replicate))));
    // Not a vacuous check: the bound's gradient is far from the ELBO's here.
    expect(Math.max(...Array.from(elbo, (value, entry) => Math.abs(value - exact[entry])))).toBeGreaterThan(1);
  });

  it.each(tinyFamilies)('%s latents, k = 2, 20 000 groups: within 5 standard errors of the enumeration (the replicates above cannot see a bias of a tenth of a standard error each)', async (_name, latents) => {
    const { model, examples, point } = await tinyPoint(latents());
    const { width } = model.latents;
    const reference = await kSampleBoundReference(ops, model, point, 2, 20_000, new Rng(17));
    for (let example = 0; example < examples; example++) {
      const image = point.images.subarray(example * mnistPixels, (example + 1) * mnistPixels);
      const exact = await enumeratedKSampleBoundGradient(model, point.decoderParams, image, point.logits.subarray(example * width, (example + 1) * width), 2);
      exact.forEach((value, element) => {
        const entry = example * width + element;
        expect(Math.abs(reference.gradient[entry] - value), `entry ${entry}`).toBeLessThan(5 * reference.stdErr[entry]);
      });
    }
  });

  it('L_k with one value replaced, against the log-sum-exp written out, where that value dominates the others by far', () => {
    // exp(−L) relative to the smallest: the others' shares are e^-40 and e^-45, far below a double's rounding of 1.
    const values = [500, 540, 545];
    const direct = (entries: number[]) => 500 - Math.log(entries.reduce((total, entry) => total + Math.exp(500 - entry), 0) / entries.length);
    expect(boundWithOneReplaced(values, 0, 500)).toBeCloseTo(direct(values), 12);
    expect(boundWithOneReplaced(values, 0, 560)).toBeCloseTo(direct([560, 540, 545]), 12);
    expect(boundWithOneReplaced(values, 2, 490)).toBeCloseTo(direct([500, 540, 490]), 12);
  });

  it('the enumeration at k = 1 is the ELBO term\'s enumerated gradient', async () => {
    const { model, point } = await tinyPoint();
    const { width } = model.latents;
    const image = point.images.subarray(0, mnistPixels);
    const logits = point.logits.subarray(0, width);
    const single = await enumeratedKSampleBoundGradient(model, point.decoderParams, image, logits, 1);
    const elbo = await enumeratedGradient(model, point.decoderParams, image, logits);
    single.forEach((value, entry) => expect(value).toBeCloseTo(elbo[entry], 9));
  });

  it('the ELBO reference is untouched by the option (same stream, same numbers)', async () => {
    const { model, point } = await tinyPoint();
    const again = await localExpectationReference(ops, model, point, 16, new Rng(3));
    expect(Array.from((await localExpectationReference(ops, model, point, 16, new Rng(3))).gradient)).toEqual(Array.from(again.gradient));
  });
});

describe('objective=iwae on mnist-binary-vae', () => {
  it('normalised importance weights: null for the ELBO, softmax of −L within each example row for the bound', () => {
    const value = Float64Array.from([700, 701, 703, 5, 5, 5]);
    expect(evaluationWeights('elbo', value, 3)).toBeNull();
    const weights = evaluationWeights('iwae', value, 3)!;
    const first = [0, 1, 3].map((shift) => Math.exp(-shift));
    const total = first.reduce((sum, entry) => sum + entry, 0);
    first.forEach((entry, row) => expect(weights[row]).toBeCloseTo(entry / total, 12));
    [3, 4, 5].forEach((row) => expect(weights[row]).toBeCloseTo(1 / 3, 12));
  });

  it('is refused, with its reason, for estimators whose evaluations are not k independent samples; taken by vimco and reinforce-loo', () => {
    const problem = mnistBinaryVae.create(withDefaults(mnistBinaryVae.params, { objective: 'iwae' }));
    const elboProblem = mnistBinaryVae.create(withDefaults(mnistBinaryVae.params));
    if (!isStagedProblem(problem) || !isStagedProblem(elboProblem)) throw new Error('VAE suites are staged');
    for (const id of ['vimco', 'reinforce-loo']) expect(problem.unsupportedReason!(builtInEstimators.get(id)!)).toBeNull();
    for (const id of ['arm', 'disarm', 'nvil', 'ste-sigmoid', 'muprop', 'rebar']) {
      const reason = problem.unsupportedReason!(builtInEstimators.get(id)!);
      expect(reason).toMatch(new RegExp(`^objective=iwae needs k independent samples of h per estimate, and ${id}'s`));
      expect(elboProblem.unsupportedReason!(builtInEstimators.get(id)!)).toBeNull();
    }
  });

  it('rejects an unknown objective in one line', () => {
    const check = (mnistBinaryVae.params.objective as { check: (value: string) => string | null }).check;
    expect(check('elbo')).toBeNull();
    expect(check('iwea')).toBe('objective must be one of elbo, iwae, got iwea');
  });
});
