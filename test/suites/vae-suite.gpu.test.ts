import { describe, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { builtInBackends } from '../../backends/index.js';
import { builtInEstimators } from '../../estimators/index.js';
import { builtInSuites } from '../../suites/index.js';
import { prepareCell } from '../../harness/cell.js';
import { resolveConfig } from '../../harness/config.js';
import { withDefaults } from '../../core/parameters.js';
import { isStagedProblem } from '../../core/suite.js';
import { hashSeed, Rng } from '../../core/rng.js';
import { scoreAtLogits } from '../../harness/sampling.js';
import { trainLogits } from '../../harness/training.js';
import { entriesOutsideBand, smallVae, smallVaes } from '../support/small-vae.js';

describeEachBackend('the VAEs', (backend) => {
  const unbiased = smallVaes.flatMap(([suite, settings]) => [...builtInEstimators.values()]
    .filter((estimator) => estimator.claimsUnbiased && estimator.nodeKinds.includes(suite.nodeKind))
    .map((estimator) => [suite.id, estimator.id, suite, settings] as const));

  it.each(unbiased)(
    '%s, %s: the mean gradient w.r.t. the encoder logits at the fixed point is within 5 standard errors of the Monte Carlo reference',
    async (_suiteId, id, suite, settings) => {
      const estimator = builtInEstimators.get(id)!;
      const problem = smallVae(suite, settings);
      const cell = prepareCell(backend(), { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize: 2000 });
      try {
        const samples = 6000;
        const scores = await scoreAtLogits({ cell, estimator, logits: problem.initialParameters, samples, batchSize: 2000, rng: new Rng(hashSeed(3, id)) });
        const reference = await cell.scoring!.reference();
        expect(scores!.referenceKind).toBe('monte-carlo');
        expect(entriesOutsideBand(scores!, reference!, samples)).toEqual([]);
        // The scored gradient is not trivially small: the test could tell a wrong one from the right one.
        expect(Math.hypot(...reference!.gradient)).toBeGreaterThan(20 * Math.hypot(...reference!.stdErr!));
      } finally {
        cell.dispose();
      }
    },
  );

  it('mnist-categorical-vae, vimco under objective=iwae: its mean is within 5 standard errors of the k-sample bound\'s Monte Carlo reference, which differs from the ELBO\'s', async () => {
    const [suite, settings] = smallVaes[1];
    const estimator = builtInEstimators.get('vimco')!;
    const scoreAt = async (objective: string) => {
      const problem = suite.create(withDefaults(suite.params, { ...settings, objective }));
      if (!isStagedProblem(problem)) throw new Error('the VAEs are staged suites');
      const cell = prepareCell(backend(), { estimator, estimatorParams: withDefaults(estimator.params, { k: 3 }), problem, batchSize: 1000 });
      try {
        const samples = 3000;
        const scores = await scoreAtLogits({ cell, estimator, logits: problem.initialParameters, samples, batchSize: 1000, rng: new Rng(hashSeed(5, 'vimco')) });
        return { scores: scores!, reference: (await cell.scoring!.reference())!, samples };
      } finally {
        cell.dispose();
      }
    };
    const bound = await scoreAt('iwae');
    expect(entriesOutsideBand(bound.scores, bound.reference, bound.samples)).toEqual([]);
    const elbo = await scoreAt('elbo');
    expect(entriesOutsideBand(bound.scores, elbo.reference, bound.samples).length).toBeGreaterThan(0);
  });

  it.each(smallVaes.map(([suite, settings]) => [suite.id, suite, settings] as const))(
    '%s: a short training run lowers the training and test -ELBO',
    async (_id, suite, settings) => {
      const estimator = builtInEstimators.get(suite.nodeKind === 'bernoulli' ? 'disarm' : 'st-gumbel-softmax')!;
      const problem = smallVae(suite, settings, { batch: 20 });
      const cell = prepareCell(backend(), { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize: 1 });
      try {
        const result = await trainLogits(cell, estimator, { steps: 30, batchSize: 1, seeds: 1 }, [new Rng(4)]);
        const { loss } = result.lossCurve;
        const test = result.trainingMetrics!.testNegativeElbo.curve.mean;
        // From about 550 nats at the start (every pixel near ½): down by 26 (binary, 6 latents) and 30 (categorical)
        // nats within 30 steps at lr 1e-3; the evaluations are deterministic functions of the weights.
        expect(loss[0] - loss[loss.length - 1]).toBeGreaterThan(15);
        expect(test[0] - test[test.length - 1]).toBeGreaterThan(15);
        expect(result.msPerTrainingStep).toBeGreaterThan(0);
      } finally {
        cell.dispose();
      }
    },
  );
});

describe('the VAEs across backends', () => {
  it('run only when named (minutes per cell at the defaults)', () => {
    const registries = { suites: builtInSuites, estimators: builtInEstimators, backends: builtInBackends };
    expect(resolveConfig({}, registries).suites).not.toContain('mnist-binary-vae');
    expect(resolveConfig({ suite: 'mnist-binary-vae,mnist-categorical-vae' }, registries).suites).toEqual(['mnist-binary-vae', 'mnist-categorical-vae']);
  });

  it('the same check finds the bias of a biased estimator (ste-sigmoid on the binary VAE) on most entries', async () => {
    const [suite, settings] = smallVaes[0];
    const estimator = builtInEstimators.get('ste-sigmoid')!;
    const backend = await builtInBackends.get('cpu')!({ threads: 2 });
    try {
      const problem = smallVae(suite, settings);
      const cell = prepareCell(backend, { estimator, estimatorParams: {}, problem, batchSize: 2000 });
      const scores = await scoreAtLogits({ cell, estimator, logits: problem.initialParameters, samples: 2000, batchSize: 2000, rng: new Rng(8) });
      const outside = entriesOutsideBand(scores!, (await cell.scoring!.reference())!, 2000);
      cell.dispose();
      expect(outside.length).toBeGreaterThan((settings.latents * settings.scoreExamples) / 2);
    } finally {
      backend.dispose();
    }
  });

  it.each([
    [smallVaes[0][0].id, 'ste-sigmoid', ...smallVaes[0]],
    [smallVaes[1][0].id, 'gumbel-softmax', ...smallVaes[1]],
  ] as const)('%s, %s (reads dL/dh): the CPU and GPU backends give the same scoring estimates from the same noise', async (_suiteId, id, suite, settings) => {
    const estimator = builtInEstimators.get(id)!;
    const means: number[][] = [];
    for (const backendId of ['cpu', 'gpu']) {
      const backend = await builtInBackends.get(backendId)!({ threads: 2 });
      try {
        const problem = smallVae(suite, settings);
        const cell = prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize: 500 });
        const scores = await scoreAtLogits({ cell, estimator, logits: problem.initialParameters, samples: 500, batchSize: 500, rng: new Rng(9) });
        cell.dispose();
        means.push(scores!.meanGradient);
      } finally {
        backend.dispose();
      }
    }
    means[0].forEach((value, entry) => expect(Math.abs(value - means[1][entry])).toBeLessThan(1e-3 * (1 + Math.abs(value))));
  });
});
