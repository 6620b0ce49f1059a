/** --score-at: gradient scores along each training run's own trajectory, against the reference recomputed there. */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../backends/cpu.js';
import type { ComputeBackend } from '../../core/backend.js';
import { UsageError } from '../../core/errors.js';
import { withDefaults } from '../../core/parameters.js';
import { hashSeed, Rng } from '../../core/rng.js';
import { gradientScores, trainingResult, type BenchResults, type CellResult, type GradientScores, type Registries, type ScoresAtStep } from '../../core/types.js';
import { builtInEstimators } from '../../estimators/index.js';
import { prepareCell } from '../../harness/cell.js';
import { resolveConfig, type RawBenchOptions } from '../../harness/config.js';
import { planRun } from '../../harness/plan.js';
import { cellProblem } from '../../harness/record-checks.js';
import { runBenchmark } from '../../harness/runner.js';
import { summariseScoresAlongTraining, trajectoryScorer, type TrajectoryScorer } from '../../harness/scores-along-training.js';
import { trainLogits } from '../../harness/training.js';
import { builtInSuites } from '../../suites/index.js';
import { toyProblem } from '../support/helpers.js';

const registries: Registries = {
  suites: builtInSuites,
  estimators: builtInEstimators,
  backends: new Map([['cpu', () => createCpuBackend({ threads: 1 })]]),
};

type Completed = Extract<CellResult, { state: 'completed' }>;

async function run(options: RawBenchOptions): Promise<BenchResults> {
  return runBenchmark(resolveConfig({ backend: 'cpu', timingIterations: 0, ...options }, registries), registries);
}

function completed(results: BenchResults, estimator: string): Completed {
  const cell = results.cells.find((candidate) => candidate.estimator === estimator);
  if (cell?.state !== 'completed') throw new Error(`${estimator}: ${cell && 'error' in cell ? cell.error : 'no cell'}`);
  return cell;
}

function along(cell: Completed): readonly ScoresAtStep[] {
  const points = trainingResult(cell.metrics)?.scoresAlongTraining;
  if (!points) throw new Error(`${cell.estimator}: no scores along training`);
  return points;
}

/** d E[Σ(b − t)²] / dθ on bernoulli-toy, derived here: sigmoid'(θ)(1 − 2t) per unit; its norm. */
function toyGradientNorm(logits: Float64Array, t: number): number {
  return Math.hypot(...Array.from(logits, (theta) => {
    const p = 1 / (1 + Math.exp(-theta));
    return p * (1 - p) * (1 - 2 * t);
  }));
}

describe('--score-at on the toys and teacher-student', () => {
  it.each([
    ['bernoulli-toy', 'reinforce-loo', { samples: 3000, set: ['dim=8'] }],
    ['bernoulli-toy', 'ste-identity', { samples: 3000, set: ['dim=8'] }],
    ['teacher-student', 'ste-identity', { samples: 400 }],
  ] as const)('%s, %s: the first seed at step 0 gives the plain scores exactly', async (suite, estimator, options) => {
    const results = await run({ suite, estimator, steps: 6, trainSeeds: 2, scoreAt: '0,3,6', ...options });
    const cell = completed(results, estimator);
    const plain = gradientScores(cell.metrics)!;
    const points = along(cell);
    expect(points.map((point) => point.step)).toEqual([0, 3, 6]);
    const [first, second] = points[0].seeds;
    expect({ bias: first.bias, variance: first.variance, mse: first.mse, cosine: first.cosine, biasStdErr: first.biasStdErr })
      .toEqual({ bias: plain.bias, variance: plain.variance, mse: plain.mse, cosine: plain.cosine, biasStdErr: plain.biasStdErr });
    // The second seed is scored from a stream of its own, at the same (starting) point: close, not equal.
    expect(second.variance).not.toBe(first.variance);
    expect(Math.abs(second.variance - first.variance)).toBeLessThan(0.5 * first.variance);
    expect(points[0].referenceKind).toBe(plain.referenceKind);
    expect(points[0].stdErrOverSeeds).toBeDefined();
  });

  it('bernoulli-toy, an unbiased estimator: bias within 5 standard errors of 0 at every point of every seed, and a biased one beyond', async () => {
    const results = await run({ suite: 'bernoulli-toy', estimator: 'reinforce-loo,ste-identity', samples: 20000, steps: 40, trainSeeds: 2, learningRate: 0.2, scoreAt: '0,10,40', set: ['dim=4'] });
    for (const seed of along(completed(results, 'reinforce-loo')).flatMap((point) => point.seeds)) {
      expect(seed.bias).toBeLessThan(5 * seed.biasStdErr);
    }
    // The check can fail: straight-through's bias is many standard errors at every point.
    for (const seed of along(completed(results, 'ste-identity')).flatMap((point) => point.seeds)) {
      expect(seed.bias).toBeGreaterThan(10 * seed.biasStdErr);
    }
  });

  it('bernoulli-toy: the reference is recomputed at each point (the closed form at the parameters the trajectory reached)', async () => {
    const t = 0.45;
    const problem = toyProblem({ dim: 4, t });
    const estimator = builtInEstimators.get('reinforce-loo')!;
    const backend: ComputeBackend = await createCpuBackend({ threads: 1 });
    const cell = prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize: 2000 });
    try {
      const real = trajectoryScorer({ cell, estimator, seed: 1, suite: 'bernoulli-toy', estimatorId: estimator.id, steps: [0, 20, 60], samples: 2000, batchSize: 2000 });
      const reached: Float64Array[][] = [[], []];
      const recording: TrajectoryScorer = {
        steps: real.steps,
        score(point) {
          reached[point.run].push(Float64Array.from(point.params));
          return real.score(point);
        },
      };
      const rngs = [0, 1].map((index) => new Rng(hashSeed(1, 'test', index)));
      const trained = await trainLogits(cell, estimator, { steps: 60, batchSize: 2000, seeds: 2, learningRate: 0.3, samplesPerStep: 8 }, rngs, recording);
      const points = trained.scoresAlongTraining!;
      expect(points.map((point) => point.step)).toEqual([0, 20, 60]);
      points.forEach((point, index) => point.seeds.forEach((seed, run) => {
        expect(seed.referenceNorm).toBeCloseTo(toyGradientNorm(reached[run][index], t), 12);
      }));
      // The exact gradient changes along training (training drives sigmoid(θ) towards 0, where sigmoid' is small).
      for (const run of [0, 1]) expect(points[2].seeds[run].referenceNorm).toBeLessThan(0.8 * points[0].seeds[run].referenceNorm);
      // Scoring draws from streams of its own: the trajectory is the one a run without --score-at follows.
      const plain = await trainLogits(cell, estimator, { steps: 60, batchSize: 2000, seeds: 2, learningRate: 0.3, samplesPerStep: 8 }, [0, 1].map((index) => new Rng(hashSeed(1, 'test', index))));
      expect(plain.lossCurve).toEqual(trained.lossCurve);
      expect(plain.scoresAlongTraining).toBeUndefined();
    } finally {
      cell.dispose();
      backend.dispose();
    }
  });

  it('teacher-student: closed-form scores at every point, and the series passes the results checks', async () => {
    const results = await run({ suite: 'teacher-student', estimator: 'ste-identity', samples: 300, steps: 8, trainSeeds: 1, scoreAt: '0,4,8' });
    const cell = completed(results, 'ste-identity');
    const points = along(cell);
    expect(points.map((point) => [point.step, point.referenceKind, point.seeds.length, point.stdErrOverSeeds])).toEqual([
      [0, 'closed-form', 1, undefined], [4, 'closed-form', 1, undefined], [8, 'closed-form', 1, undefined],
    ]);
    for (const point of points) for (const value of [point.bias, point.variance, point.mse, point.cosine]) expect(Number.isFinite(value)).toBe(true);
    expect(cellProblem(JSON.parse(JSON.stringify(cell)))).toBeNull();
    const damaged = JSON.parse(JSON.stringify(cell));
    damaged.metrics.scoresAlongTraining[1].seeds = [{ bias: 'x' }];
    expect(cellProblem(damaged)).toMatch(/scoresAlongTraining\[1\]\.seeds/);
  });
});

describe('--score-at on mnist-binary-vae', () => {
  it('scores the encoder-logit gradients at each point against a Monte Carlo reference recomputed there', async () => {
    const settings = ['latents=4', 'batch=8', 'warmupSteps=0', 'scoreExamples=2', 'referenceSamples=400', 'evalExamples=20'];
    const results = await run({ suite: 'mnist-binary-vae', estimator: 'reinforce-loo', samples: 400, steps: 6, trainSeeds: 1, scoreAt: '0,6', set: settings });
    const cell = completed(results, 'reinforce-loo');
    const points = along(cell);
    expect(points.map((point) => [point.step, point.referenceKind])).toEqual([[0, 'monte-carlo'], [6, 'monte-carlo']]);
    const [start, end] = points.map((point) => point.seeds[0]);
    expect(start.referenceStdErr).toBeGreaterThan(0);
    // warmupSteps=0: the plain scores' fixed point is the training start, so step 0 is the plain score.
    expect(start.variance).toBe(gradientScores(cell.metrics)!.variance);
    expect(start.referenceNorm).toBeCloseTo(Math.hypot(...gradientScores(cell.metrics)!.exactGradient), 12);
    // The weights moved, and the reference with them.
    expect(end.referenceNorm).not.toBe(start.referenceNorm);
    // Unbiased: within 5 standard errors (the estimates' and the reference's) at each point.
    for (const seed of [start, end]) expect(seed.bias).toBeLessThan(5 * seed.biasStdErr);
  });
});

describe('--score-at options and keys', () => {
  it.each([
    [{ scoreAt: '0,2.5', steps: 10 }, /--score-at must be whole numbers .* got '2.5'/],
    [{ scoreAt: '5,3', steps: 10 }, /--score-at steps must increase, got 3 after 5/],
    [{ scoreAt: '0,5,5', steps: 10 }, /must increase, got 5 after 5/],
    [{ scoreAt: '0,20', steps: 10 }, /--score-at step 20 is beyond --steps 10/],
    [{ scoreAt: '0', steps: 0 }, /--steps 0 trains nothing/],
    [{ scoreAt: '-1', steps: 10 }, /whole numbers/],
  ])('%j is refused with one line', (options, message) => {
    const resolve = () => resolveConfig({ suite: 'bernoulli-toy', estimator: 'ste-identity', backend: 'cpu', ...options }, registries);
    expect(resolve).toThrow(UsageError);
    expect(resolve).toThrow(message);
  });

  it('puts the steps in the cell keys, so --resume recomputes cells scored at other steps', () => {
    const keys = (scoreAt?: string) => planRun(resolveConfig({ suite: 'bernoulli-toy', estimator: 'ste-identity', backend: 'cpu', steps: 10, scoreAt }, registries)).map((work) => work.key);
    expect(keys('0,10')).not.toEqual(keys());
    expect(keys('0,10')).not.toEqual(keys('0,5'));
    expect(keys('0,10')).toEqual(keys('0,10'));
  });
});

describe('the summary over seeds', () => {
  const scores = (bias: number, variance: number): GradientScores => ({
    referenceKind: 'closed-form', exactGradient: [3, 4], meanGradient: [0, 0], varianceByUnit: [variance, 0],
    bias, biasStdErr: 0.1, relativeBias: bias / 5, variance, mse: variance + bias * bias, cosine: 1,
  });

  it('averages the seeds, gives the standard error over them, and records the estimator state a point carries', () => {
    const summary = summariseScoresAlongTraining([
      [{ step: 0, scores: scores(1, 2), estimatorState: { eta: 0.5 } }, { step: 5, scores: scores(2, 4) }],
      [{ step: 0, scores: scores(3, 6), estimatorState: { eta: 0.7 } }, { step: 5, scores: scores(2, 4) }],
    ])!;
    expect(summary.map((point) => point.step)).toEqual([0, 5]);
    expect(summary[0]).toMatchObject({ bias: 2, variance: 4, biasStdErr: 0.1, stdErrOverSeeds: { bias: 1, variance: 2 } });
    expect(summary[0].seeds.map((seed) => [seed.referenceNorm, seed.estimatorState])).toEqual([[5, { eta: 0.5 }], [5, { eta: 0.7 }]]);
    expect(summary[1].stdErrOverSeeds).toEqual({ bias: 0, variance: 0, mse: 0, cosine: 0 });
    expect('estimatorState' in summary[1].seeds[0]).toBe(false);
  });

  it('leaves out a step without a reference, and gives nothing when no step has one', () => {
    expect(summariseScoresAlongTraining([[{ step: 0, scores: null }, { step: 5, scores: scores(1, 1) }]])!.map((point) => point.step)).toEqual([5]);
    expect(summariseScoresAlongTraining([[{ step: 0, scores: null }]])).toBeUndefined();
  });
});

describe('the charts along training', () => {
  let results: BenchResults;
  beforeAll(async () => {
    results = await run({ suite: 'bernoulli-toy', estimator: 'reinforce-loo,ste-identity', samples: 2000, steps: 10, trainSeeds: 2, scoreAt: '0,5,10', set: ['dim=4'] });
  });

  it('plan and render one PNG per suite for variance, bias and MSE, one line per estimator', async () => {
    const { planCharts } = await import('../../reports/charts/index.js');
    const { createChartRenderer } = await import('../../reports/charts/render.js');
    const { specs } = planCharts(results).find(({ definition }) => definition.id === 'scores-along-training')!;
    expect(specs.map((spec) => spec.file)).toEqual(['variance', 'bias', 'mse'].map((metric) => `${metric}-along-training-bernoulli-toy.png`));
    const [variance] = specs;
    const labelled = (variance.configuration.data.datasets as Array<{ label: string; data: Array<{ x: number }> }>).filter((dataset) => dataset.label !== '');
    expect(labelled.map((dataset) => [dataset.label, dataset.data.map((point) => point.x)])).toEqual([['reinforce-loo', [0, 5, 10]], ['ste-identity', [0, 5, 10]]]);
    const png = await createChartRenderer()(variance);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(5000);
  });

  it('are absent, with how to get them, without --score-at', async () => {
    const { planCharts } = await import('../../reports/charts/index.js');
    const plain = await run({ suite: 'bernoulli-toy', estimator: 'ste-identity', samples: 1000, steps: 2, set: ['dim=4'] });
    const plan = planCharts(plain).find(({ definition }) => definition.id === 'scores-along-training')!;
    expect(plan.specs).toEqual([]);
    expect(plan.definition.howToGet).toMatch(/--score-at/);
  });
});
