import { describe, expect, it } from 'vitest';
import { describeEachBackend, useCpuAndGpuBackends } from '../support/backends.js';
import type { ComputeBackend } from '../../core/backend.js';
import type { BatchMoments } from '../../core/moments.js';
import { builtInBackends } from '../../backends/index.js';
import { builtInEstimators } from '../../estimators/index.js';
import { prepareCell } from '../../harness/cell.js';
import { numericValues, withDefaults } from '../../core/parameters.js';
import { hashSeed, Rng } from '../../core/rng.js';
import { drawMoments } from '../../harness/sampling.js';
import { categoricalToy } from '../../suites/categorical-toy.js';
import { isStagedProblem, type Problem } from '../../core/suite.js';
import {
  exactGradientByEnumeration, exactLossByEnumeration, gappedStMeanByEnumeration, gumbelSoftmaxMeans, reinmaxMeanByEnumeration, softmax, zgrMeanByEnumeration, type MonteCarloMean,
} from '../support/categorical-reference.js';
import { drawClass, grpoMeanByMonteCarlo } from '../support/group-advantage.js';
import { testUniforms } from '../support/random-for-tests.js';
import { categoricalToyKSampleBoundGradient } from '../support/k-sample-bound.js';

const units = 8;
const classes = 6;
const t = 0.8;
const samples = 40_000;
/** Gumbel-Rao costs about M = 10 times the others per estimate: half the samples still resolve its mean. */
const samplesOf = (id: string) => (id === 'gumbel-rao' ? 20_000 : samples);
/** With the seeds fixed the tests are deterministic; 5 combined standard errors keep a false alarm per run under 1e-4. */
const sigmas = 5;
/** Monte Carlo samples per unit for the references the test computes itself. */
const referenceSamples = 100_000;

/** The starting logits and targets as the suite documents them, written here again. */
const documentedLogits = (unit: number) =>
  Array.from({ length: classes }, (_, k) => (-2 + (4 * unit) / (units - 1)) * ((2 * k) / (classes - 1) - 1));
const documentedTarget = (unit: number) => Array.from({ length: classes }, (_, k) => (k === unit % classes ? t : (1 - t) / (classes - 1)));

function toyProblem(): Problem {
  const problem = categoricalToy.create(withDefaults(categoricalToy.params, { dim: units, classes, t }));
  if (isStagedProblem(problem)) throw new Error('categorical-toy is a kernel suite');
  return problem;
}

/** A per-element expectation over all units (unit-major) with its own standard error (0 where exact). */
function perUnit(expectation: (unit: number) => MonteCarloMean | number[]): MonteCarloMean {
  const parts = Array.from({ length: units }, (_, unit) => expectation(unit));
  return {
    mean: parts.flatMap((part) => (Array.isArray(part) ? part : part.mean)),
    stdErr: parts.flatMap((part) => (Array.isArray(part) ? part.map(() => 0) : part.stdErr)),
  };
}

const monteCarloByTau = new Map<number, { relaxed: MonteCarloMean; straightThrough: MonteCarloMean }>();
/** The Gumbel-softmax references at `tau`, computed once per tau (the same draws for every unit's seed). */
function gumbelSoftmaxReference(tau: number) {
  let cached = monteCarloByTau.get(tau);
  if (!cached) {
    const byUnit = Array.from({ length: units }, (_, unit) => gumbelSoftmaxMeans(documentedLogits(unit), documentedTarget(unit), tau, referenceSamples, 1000 + unit));
    cached = {
      relaxed: perUnit((unit) => byUnit[unit].relaxed),
      straightThrough: perUnit((unit) => byUnit[unit].straightThrough),
    };
    monteCarloByTau.set(tau, cached);
  }
  return cached;
}

const decoupledByTaus = new Map<string, MonteCarloMean>();
/**
 * decoupled-st-gumbel-softmax's mean: straight-through Gumbel-softmax at tau = tauBackward on the logits
 * theta / tauForward, whose Jacobian the chain rule scales by 1 / tauForward.
 */
function decoupledReference(tauForward: number, tauBackward: number): MonteCarloMean {
  const key = `${tauForward},${tauBackward}`;
  let cached = decoupledByTaus.get(key);
  if (!cached) {
    const scaled = perUnit((unit) => gumbelSoftmaxMeans(documentedLogits(unit).map((logit) => logit / tauForward), documentedTarget(unit), tauBackward, referenceSamples, 2000 + unit).straightThrough);
    cached = { mean: scaled.mean.map((value) => value / tauForward), stdErr: scaled.stdErr.map((value) => value / tauForward) };
    decoupledByTaus.set(key, cached);
  }
  return cached;
}

const exactGradient = () => perUnit((unit) => exactGradientByEnumeration(documentedLogits(unit), documentedTarget(unit)));

const grpoByParams = new Map<string, MonteCarloMean>();
/**
 * GRPO's mean on the toy by Monte Carlo over whole draws of all units (the group's standard deviation
 * couples them): each unit's class by inverse CDF on this file's own generator, f(x) = Σᵢ ‖xᵢ − cᵢ‖²,
 * the score onehot − π. Computed once per (k, ε).
 */
function grpoReference(k: number, epsilon: number): MonteCarloMean {
  const key = `${k}/${epsilon}`;
  let cached = grpoByParams.get(key);
  if (!cached) {
    const uniform = testUniforms(4242 + k);
    const probabilities = Array.from({ length: units }, (_, unit) => softmax(documentedLogits(unit)));
    const draw = () => {
      const score = new Float64Array(units * classes);
      let value = 0;
      for (let unit = 0; unit < units; unit++) {
        const drawn = drawClass(probabilities[unit], uniform);
        const target = documentedTarget(unit);
        for (let c = 0; c < classes; c++) {
          const x = c === drawn ? 1 : 0;
          value += (x - target[c]) ** 2;
          score[unit * classes + c] = x - probabilities[unit][c];
        }
      }
      return { value, score };
    };
    cached = grpoMeanByMonteCarlo(draw, units * classes, k, epsilon, referenceSamples);
    grpoByParams.set(key, cached);
  }
  return cached;
}

/**
 * E[estimate] of each categorical estimator, from the test's own derivations: exact enumeration over
 * the K classes where the estimator's randomness is the sample alone (REINFORCE-LOO, ReinMax), Monte
 * Carlo over the Gumbel noise where it is not (the Gumbel-softmax family).
 */
const expectedMean: Record<string, (params: Record<string, number>) => MonteCarloMean> = {
  'gumbel-softmax': ({ tau }) => gumbelSoftmaxReference(tau).relaxed,
  'st-gumbel-softmax': ({ tau }) => gumbelSoftmaxReference(tau).straightThrough,
  'decoupled-st-gumbel-softmax': ({ tauForward, tauBackward }) => decoupledReference(tauForward, tauBackward),
  // Rao-Blackwellisation keeps the mean of ST-GS, for any number of conditional samples.
  'gumbel-rao': ({ tau }) => gumbelSoftmaxReference(tau).straightThrough,
  reinmax: ({ tau }) => perUnit((unit) => reinmaxMeanByEnumeration(documentedLogits(unit), documentedTarget(unit), tau)),
  'reinforce-loo': () => exactGradient(),
  // Unbiased for every η and λ (the state's values at the start, or fixed).
  rebar: () => exactGradient(),
  relax: () => exactGradient(),
  muprop: () => exactGradient(),
  grpo: ({ k, epsilon }) => grpoReference(k, epsilon),
  // f − group mean = ((k − 1)/k)(f − mean of the others): (k − 1)/k times leave-one-out's mean.
  'dr-grpo': ({ k }) => {
    const exact = exactGradient();
    return { mean: exact.mean.map((value) => ((k - 1) / k) * value), stdErr: exact.stdErr };
  },
  zgr: () => perUnit((unit) => zgrMeanByEnumeration(documentedLogits(unit), documentedTarget(unit))),
  // VIMCO's mean is the gradient of the k-sample bound's expectation, not of E[f] (vimco.gpu.test.ts checks it by brute force on a tiny toy).
  vimco: ({ k }) => {
    const mean = categoricalToyKSampleBoundGradient(Array.from({ length: units }, (_, unit) => documentedLogits(unit)).flat(), classes, t, k);
    return { mean, stdErr: mean.map(() => 0) };
  },
  'gapped-st': ({ tau, gap }) => perUnit((unit) => gappedStMeanByEnumeration(documentedLogits(unit), documentedTarget(unit), tau, gap)),
};

/** Elements whose mean is more than `sigmas` combined standard errors (estimate and reference) from the expectation. */
function elementsOutsideBand(moments: BatchMoments, expected: MonteCarloMean, bandSigmas = sigmas): string[] {
  const outside: string[] = [];
  for (let index = 0; index < expected.mean.length; index++) {
    const estimateStdErr = Math.sqrt(moments.sumOfSquaredDeviations[index] / (moments.count - 1) / moments.count);
    const standardError = Math.hypot(estimateStdErr, expected.stdErr[index]);
    const distance = Math.abs(moments.mean[index] - expected.mean[index]);
    if (distance > bandSigmas * standardError + 1e-9) {
      outside.push(`unit ${Math.floor(index / classes)} class ${index % classes}: ${moments.mean[index].toPrecision(5)} vs ${expected.mean[index].toPrecision(5)} (${(distance / standardError).toFixed(1)} se)`);
    }
  }
  return outside;
}

/** `count` estimates of a categorical-toy staged cell, drawn in batches of up to 8192 from the estimator's stream. */
async function sampleCategorical(backend: ComputeBackend, estimatorId: string, params: Record<string, number>, count: number, seed: number) {
  const estimator = builtInEstimators.get(estimatorId)!;
  const problem = toyProblem();
  const batchSize = Math.min(count, 8192);
  const cell = prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params, params), problem, batchSize });
  try {
    return await drawMoments({ cell, logits: problem.initialLogits, baseline: new Float64Array(units * classes), samples: count, batchSize, rng: new Rng(hashSeed(seed, estimatorId)) });
  } finally {
    cell.dispose();
  }
}

/** The suite's own reference gradient and exact loss at `logits`, through a cell on `backend`. */
async function suiteReference(backend: ComputeBackend, logits: Float64Array) {
  const estimator = builtInEstimators.get('reinforce-loo')!;
  const cell = prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params), problem: toyProblem(), batchSize: 16 });
  try {
    return { ...(await cell.referenceGradient(logits))!, loss: (await cell.evaluate(logits)).loss };
  } finally {
    cell.dispose();
  }
}

const totalVariance = (moments: BatchMoments) => moments.sumOfSquaredDeviations.reduce((sum, value) => sum + value, 0) / (moments.count - 1);

const categoricalEstimators = [...builtInEstimators.values()].filter((estimator) => estimator.nodeKinds.includes('categorical'));

describe('categorical-toy', () => {
  it('starts at its documented logits, records its documented targets, and has the enumerated gradient and loss', async () => {
    const problem = toyProblem();
    expect(Array.from(problem.initialLogits)).toEqual(Array.from({ length: units }, (_, unit) => documentedLogits(unit)).flat());
    const recordedTargets = problem.recordedParams!.targets as number[];
    Array.from({ length: units }, (_, unit) => documentedTarget(unit)).flat().forEach((target, index) => expect(recordedTargets[index]).toBeCloseTo(target, 14));
    // Any point will do: the closed form must match enumeration away from the start too.
    const logits = Float64Array.from(problem.initialLogits, (value, index) => value + Math.sin(3 * index));
    const reference = await suiteReference(await builtInBackends.get('cpu')!({ threads: 2 }), logits);
    const byUnit = (unit: number) => Array.from(logits.subarray(unit * classes, (unit + 1) * classes));
    const enumerated = Array.from({ length: units }, (_, unit) => exactGradientByEnumeration(byUnit(unit), documentedTarget(unit))).flat();
    enumerated.forEach((value, index) => expect(reference.gradient[index]).toBeCloseTo(value, 12));
    expect(reference.kind).toBe('closed-form');
    const enumeratedLoss = Array.from({ length: units }, (_, unit) => exactLossByEnumeration(byUnit(unit), documentedTarget(unit))).reduce((a, b) => a + b, 0);
    expect(reference.loss).toBeCloseTo(enumeratedLoss, 12);
  });

  it('lists every categorical estimator of the issue', () => {
    expect(categoricalEstimators.map((estimator) => estimator.id).sort()).toEqual(Object.keys(expectedMean).sort());
  });
});

describeEachBackend('categorical estimators', (backend) => {
  it.each(categoricalEstimators.map((estimator) => estimator.id))('%s matches its expected mean within 5 standard errors', async (id) => {
    const estimator = builtInEstimators.get(id)!;
    const params = numericValues(withDefaults(estimator.params));
    const moments = await sampleCategorical(backend(), id, params, samplesOf(id), 31);
    expect(elementsOutsideBand(moments, expectedMean[id](params))).toEqual([]);
    if (estimator.claimsUnbiased) {
      const exact = await suiteReference(backend(), toyProblem().initialLogits);
      expect(elementsOutsideBand(moments, { mean: Array.from(exact.gradient), stdErr: Array.from(exact.gradient, () => 0) })).toEqual([]);
    }
  });

  // tau = 0.7 takes the kernels' exp/log branch (1/tau not a whole number); the defaults take the pow one.
  it.each([
    ['gumbel-softmax', { tau: 0.7 }],
    ['st-gumbel-softmax', { tau: 0.5 }],
    ['decoupled-st-gumbel-softmax', { tauForward: 2, tauBackward: 0.7 }],
    ['decoupled-st-gumbel-softmax', { tauForward: 0.5, tauBackward: 1 }],
    ['reinmax', { tau: 2 }],
    ['gapped-st', { tau: 0.5, gap: 2 }],
    ['gumbel-rao', { tau: 0.7, conditionalSamples: 3 }],
    ['reinforce-loo', { k: 2 }],
    ['rebar', { initialEta: 0.6, initialTemperature: 0.2 }],
    ['relax', { initialEta: 0.7, initialTemperature: 0.8, surrogateScale: 0.6, surrogateSeed: 5 }],
    ['grpo', { k: 3 }],
    ['dr-grpo', { k: 2 }],
    ['vimco', { k: 2 }],
  ])('%s with %j matches its expected mean at non-default parameters', async (id, params) => {
    const resolved = numericValues(withDefaults(builtInEstimators.get(id)!.params, params));
    const moments = await sampleCategorical(backend(), id, resolved, samplesOf(id), 37);
    expect(elementsOutsideBand(moments, expectedMean[id](resolved))).toEqual([]);
  });

  it('detects a biased estimator: st-gumbel-softmax is far from the exact gradient', async () => {
    const moments = await sampleCategorical(backend(), 'st-gumbel-softmax', {}, samples, 41);
    expect(elementsOutsideBand(moments, exactGradient()).length).toBeGreaterThan(10);
  });
});

describe('properties the papers state', () => {
  it('reinmax at tau = 1 is unbiased on a quadratic objective (Heun\'s rule is exact there), and biased at tau = 2', async () => {
    // The enumerated expectation equals the exact gradient at tau = 1 (to rounding) for categorical-toy's quadratic f.
    const exact = exactGradient();
    perUnit((unit) => reinmaxMeanByEnumeration(documentedLogits(unit), documentedTarget(unit), 1)).mean.forEach((value, index) => expect(value).toBeCloseTo(exact.mean[index], 12));
    const cpu = await builtInBackends.get('cpu')!({ threads: 2 });
    expect(elementsOutsideBand(await sampleCategorical(cpu, 'reinmax', { tau: 1 }, samples, 53), exact)).toEqual([]);
    expect(elementsOutsideBand(await sampleCategorical(cpu, 'reinmax', { tau: 2 }, samples, 59), exact).length).toBeGreaterThan(10);
  });

  it('zgr is the zero-temperature limit of gumbel-rao: their means agree at a small tau, and differ at tau = 1', async () => {
    const cpu = await builtInBackends.get('cpu')!({ threads: 2 });
    const zgrMean = perUnit((unit) => zgrMeanByEnumeration(documentedLogits(unit), documentedTarget(unit)));
    expect(elementsOutsideBand(await sampleCategorical(cpu, 'gumbel-rao', { tau: 0.05, conditionalSamples: 50 }, 20_000, 61), zgrMean)).toEqual([]);
    expect(elementsOutsideBand(await sampleCategorical(cpu, 'gumbel-rao', { tau: 1, conditionalSamples: 50 }, 20_000, 67), zgrMean).length).toBeGreaterThan(10);
  });

  it('gumbel-rao has a lower variance than st-gumbel-softmax (Rao-Blackwellisation)', async () => {
    const cpu = await builtInBackends.get('cpu')!({ threads: 2 });
    // Both draw their forward sample from the same first K exponentials of each unit, so with one seed they share D.
    const straightThrough = await sampleCategorical(cpu, 'st-gumbel-softmax', { tau: 1 }, 20_000, 43);
    const rao = await sampleCategorical(cpu, 'gumbel-rao', { tau: 1, conditionalSamples: 10 }, 20_000, 43);
    // Measured: about 1.74 against 2.08; the variance estimates' own errors are about 1.5 %.
    expect(totalVariance(rao)).toBeLessThan(0.9 * totalVariance(straightThrough));
  });
});

describe('CPU and GPU categorical nodes', () => {
  const backends = useCpuAndGpuBackends();

  it('runs categorical-toy fused on the CPU and as stages on the GPU, and says so', () => {
    const estimator = builtInEstimators.get('reinmax')!;
    const execution = (backend: ComputeBackend) => {
      const cell = prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params), problem: toyProblem(), batchSize: 16 });
      cell.dispose();
      return cell.execution;
    };
    expect([execution(backends.cpu()), execution(backends.gpu())]).toEqual(['fused', 'staged']);
  });

  // 10 000 estimates in batches of 8192: reinforce-loo's k = 4 evaluations split the first batch into two GPU passes.
  it.each(categoricalEstimators.map((estimator) => estimator.id))('%s: same seed, same estimates on both backends (to float32 precision)', async (id) => {
    const onCpu = await sampleCategorical(backends.cpu(), id, {}, 10_000, 47);
    const onGpu = await sampleCategorical(backends.gpu(), id, {}, 10_000, 47);
    for (let index = 0; index < units * classes; index++) {
      // The same Gumbels (rounded to float32 on the GPU); an argmax flip moves one of 10^4 samples.
      expect(Math.abs(onGpu.mean[index] - onCpu.mean[index])).toBeLessThan(2e-3 + 1e-3 * Math.abs(onCpu.mean[index]));
      const cpuVariance = onCpu.sumOfSquaredDeviations[index] / 9_999;
      const gpuVariance = onGpu.sumOfSquaredDeviations[index] / 9_999;
      expect(Math.abs(gpuVariance - cpuVariance)).toBeLessThan(2e-3 + 1e-2 * cpuVariance);
    }
  });
});
