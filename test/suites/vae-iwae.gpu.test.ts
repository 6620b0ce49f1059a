import { expect, it } from 'vitest';
import { createJsTensorOps } from '../../backends/cpu-ops.js';
import { singleNodeEstimates } from '../../models/single-node.js';
import { builtInEstimators } from '../../estimators/index.js';
import type { StagedProblem } from '../../core/suite.js';
import type { LatentFamily } from '../../suites/vae/latent-family.js';
import { mnistPixels } from '../../suites/mnist-data.js';
import { decoderSlice, encoderSlice } from '../../suites/vae/vae-model.js';
import { scoringStages, type ScoringPoint } from '../../suites/vae/vae-stages.js';
import type { VaeObjective } from '../../suites/vae/vae-objective.js';
import type { VaeModel } from '../../suites/vae/vae-model.js';
import { describeEachBackend } from '../support/backends.js';
import { sampleEstimator, unitsOutsideBand } from '../support/helpers.js';
import { enumeratedGradient, enumeratedKSampleBoundGradient, randomImages, tinyFamilies, tinyVae } from '../support/vae-tiny.js';

/** Two scored images of a tiny VAE (3 Bernoulli latents, or 2 units of 3 classes), with their encoder logits (as the suite's scoring point). */
async function tinyPoint(latents: LatentFamily): Promise<{ model: VaeModel; point: ScoringPoint }> {
  const ops = createJsTensorOps();
  const { model, params } = tinyVae(latents, 21);
  const images = new Float32Array(randomImages(2, 22).images.map((value) => (value < 0.3 ? 1 : 0)));
  const params32 = Float32Array.from(params);
  const logits = Float64Array.from((await model.encoder.forward(ops, encoderSlice(model, params32), images, 2)).output);
  return { model, point: { decoderParams: decoderSlice(model, params32), images, logits } };
}

/** The suite's scoring stages at `point` as a staged problem: one estimate is every scored image's encoder-logit gradient. */
function scoringProblem(model: VaeModel, point: ScoringPoint, objective: VaeObjective): StagedProblem {
  return {
    kind: 'staged',
    nodeKind: model.latents.nodeKind,
    initialParameters: new Float64Array(point.logits.length),
    prepare(context) {
      const stages = scoringStages(context.ops, model, point, objective);
      const node = context.hardNode(model.latents.width, model.latents.nodeKind === 'categorical' ? { classes: model.latents.classes } : {});
      return {
        estimates: (params, count, rng, step) => singleNodeEstimates(stages, node, context.estimator, params, count, rng, step),
        referenceGradient: async () => null,
        evaluate: async () => ({ loss: 0 }),
        dispose() {},
      };
    },
  };
}

/** The enumerated gradient of every scored image: of E[L_k] (k ≥ 1), or of the ELBO term's expectation. */
async function enumerated(model: VaeModel, point: ScoringPoint, k: number | null): Promise<Float64Array> {
  const { width } = model.latents;
  const out = new Float64Array(point.logits.length);
  for (let example = 0; example < 2; example++) {
    const image = point.images.subarray(example * mnistPixels, (example + 1) * mnistPixels);
    const logits = point.logits.subarray(example * width, (example + 1) * width);
    out.set(k === null ? await enumeratedGradient(model, point.decoderParams, image, logits) : await enumeratedKSampleBoundGradient(model, point.decoderParams, image, logits, k), example * width);
  }
  return out;
}

describeEachBackend('vimco on a tiny VAE under objective=iwae', (backend) => {
  // k = 3 on categorical latents (729 joint states) is covered on the categorical toy (vimco.gpu.test.ts); here k = 2 keeps the file quick.
  it.each(tinyFamilies.flatMap(([name, latents]) => (name === 'bernoulli' ? [2, 3] : [2]).map((k) => [name, k, latents] as const)))('%s latents, k = %i: its mean is the enumerated gradient of E[L_k] (within 5 standard errors), not the ELBO\'s', async (_name, k, latents) => {
    const { model, point } = await tinyPoint(latents());
    const moments = await sampleEstimator(backend(), builtInEstimators.get('vimco')!, scoringProblem(model, point, 'iwae'), 40_000, 13, { k });
    expect(unitsOutsideBand(moments, await enumerated(model, point, k), 5)).toEqual([]);
    expect(unitsOutsideBand(moments, await enumerated(model, point, null), 5).length).toBeGreaterThan(0);
  });

  it.each(tinyFamilies.slice(0, 1))('%s latents: under the default objective (elbo) reinforce-loo\'s mean is still the ELBO\'s gradient', async (_name, latents) => {
    const { model, point } = await tinyPoint(latents());
    const estimator = builtInEstimators.get('reinforce-loo')!;
    const byDefault = await sampleEstimator(backend(), estimator, scoringProblem(model, point, 'elbo'), 20_000, 13, { k: 3 });
    expect(unitsOutsideBand(byDefault, await enumerated(model, point, null), 5)).toEqual([]);
  });
}, { staged: true });
