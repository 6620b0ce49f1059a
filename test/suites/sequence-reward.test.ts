import { describe, expect, it } from 'vitest';
import { builtInBackends } from '../../backends/index.js';
import { builtInEstimators } from '../../estimators/index.js';
import { withDefaults } from '../../core/parameters.js';
import { prepareCell } from '../../harness/cell.js';
import { isStagedProblem, type StagedProblem } from '../../core/suite.js';
import { sequenceReward } from '../../suites/sequence-reward.js';
import { drawSequenceSetting, klTokenWeights, sequenceLosses } from '../../suites/sequence-reward-policy.js';
import { sampleEstimator } from '../support/helpers.js';
import { centralDifferences } from '../support/central-differences.js';
import { drawClass, grpoMeanByMonteCarlo } from '../support/group-advantage.js';
import { testUniforms } from '../support/random-for-tests.js';

function problemWith(overrides: Record<string, number>): { problem: StagedProblem; bigrams: number[]; reference: number[]; start: Float64Array } {
  const problem = sequenceReward.create(withDefaults(sequenceReward.params, overrides));
  if (!isStagedProblem(problem)) throw new Error('sequence-reward is staged');
  const recorded = problem.recordedParams as Record<string, number[]>;
  return { problem, bigrams: recorded.bigrams, reference: recorded.referenceLogits, start: problem.initialParameters };
}

/** The reference and the loss of a staged problem at `logits`, through its own interface, on the CPU backend. */
async function suiteAnswers(problem: StagedProblem, logits: Float64Array): Promise<{ gradient: Float64Array; loss: number; metrics: Record<string, number> }> {
  const cpu = await builtInBackends.get('cpu')!({ threads: 1 });
  const estimator = builtInEstimators.get('reinforce-loo')!;
  try {
    const cell = prepareCell(cpu, { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize: 8 });
    const reference = await cell.referenceGradient(logits);
    const evaluation = await cell.evaluate(logits);
    cell.dispose();
    return { gradient: reference!.gradient, loss: evaluation.loss, metrics: { ...evaluation.metrics } };
  } finally {
    cpu.dispose();
  }
}

const softmax = (row: number[]) => {
  const exps = row.map(Math.exp);
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((value) => value / total);
};

/**
 * J = E[r] − β·KL(π‖π_ref) for D = 3 by three nested loops over the tokens, with the KL as the sum of
 * the three positions' KLs (the factorised policy's closed form), not as an expectation over sequences.
 */
function bruteForceObjective(logits: Float64Array, bigrams: number[], reference: number[], beta: number): number {
  const K = 3;
  const pi = [0, 1, 2].map((position) => softmax(Array.from(logits.subarray(position * K, position * K + K))));
  const ref = [0, 1, 2].map((position) => softmax(reference.slice(position * K, position * K + K)));
  let expectedReward = 0;
  for (let a = 0; a < K; a++) {
    for (let b = 0; b < K; b++) {
      for (let c = 0; c < K; c++) expectedReward += pi[0][a] * pi[1][b] * pi[2][c] * ((bigrams[a * K + b] + bigrams[b * K + c]) / 2);
    }
  }
  let kl = 0;
  for (let position = 0; position < 3; position++) {
    for (let a = 0; a < K; a++) kl += pi[position][a] * Math.log(pi[position][a] / ref[position][a]);
  }
  return expectedReward - beta * kl;
}

describe('the sequence-reward suite', () => {
  it('enumerates the loss and the gradient of −E[r] + β·KL exactly (K 3, D 3, against nested loops and central differences)', async () => {
    const beta = 0.3;
    const { problem, bigrams, reference, start } = problemWith({ dim: 3, classes: 3, beta, seed: 5 });
    const logits = start.map((value, index) => value + 0.3 * Math.sin(index));
    const answers = await suiteAnswers(problem, logits);
    expect(answers.loss).toBeCloseTo(-bruteForceObjective(logits, bigrams, reference, beta), 12);
    const differences = centralDifferences((point) => bruteForceObjective(point, bigrams, reference, beta), logits, 1e-5);
    logits.forEach((_, index) => expect(answers.gradient[index], `element ${index}`).toBeCloseTo(-differences[index], 8));
    expect(answers.metrics.kl).toBeGreaterThan(0);
    expect(answers.loss).toBeCloseTo(-answers.metrics.expectedReward + beta * answers.metrics.kl, 12);
  });

  it('scores whole sequences, not positions: the reward is not a sum of per-position terms', () => {
    const { bigrams } = problemWith({ dim: 3, classes: 3 });
    // A separable r(a, b) = f(a) + g(b) has r(0,0) + r(1,1) = r(0,1) + r(1,0).
    expect(Math.abs(bigrams[0] + bigrams[4] - bigrams[1] - bigrams[3])).toBeGreaterThan(1e-3);
  });

  it('gives one-hot rows −r(x) + β log π/π_ref and relaxed rows the gradient of the multilinear extension', () => {
    const { setting, initialLogits } = drawSequenceSetting(3, 3, 0.4, 2);
    const weights = klTokenWeights(setting, initialLogits);
    const tokens = [2, 0, 1];
    const oneHot = new Float64Array(9);
    tokens.forEach((token, position) => (oneHot[position * 3 + token] = 1));
    const logPolicy = (position: number, token: number) => Math.log(softmax(Array.from(initialLogits.subarray(position * 3, position * 3 + 3)))[token]);
    const logReference = (position: number, token: number) => Math.log(softmax(Array.from(setting.referenceLogits.subarray(position * 3, position * 3 + 3)))[token]);
    const logRatio = tokens.reduce((total, token, position) => total + logPolicy(position, token) - logReference(position, token), 0);
    const reward = (setting.bigrams[2 * 3 + 0] + setting.bigrams[0 * 3 + 1]) / 2;
    expect(sequenceLosses(setting, weights, oneHot, false).value[0]).toBeCloseTo(-reward + 0.4 * logRatio, 12);

    const uniform = testUniforms(3);
    const relaxed = Float64Array.from({ length: 9 }, () => uniform());
    const { gradient } = sequenceLosses(setting, weights, relaxed, true);
    for (let index = 0; index < 9; index++) {
      const plus = relaxed.slice();
      const minus = relaxed.slice();
      plus[index] += 1e-6;
      minus[index] -= 1e-6;
      const difference = (sequenceLosses(setting, weights, plus, false).value[0] - sequenceLosses(setting, weights, minus, false).value[0]) / 2e-6;
      expect(gradient![index]).toBeCloseTo(difference, 7);
    }
  });

  it('refuses more than 2^16 sequences, naming K^D', () => {
    const check = (dim: number, classes: number) => sequenceReward.paramsProblem!(withDefaults(sequenceReward.params, { dim, classes }));
    expect(check(4, 16)).toBeNull();
    expect(check(9, 4)).toMatch(/4\^9 = 262144 sequences, more than the 65536/);
  });
});

/**
 * GRPO's mean estimate by Monte Carlo written here: each sequence drawn position by position by
 * inverse CDF on this file's generator, its loss from the recorded bigrams and the reference policy.
 */
function grpoMonteCarlo(problem: StagedProblem, bigrams: number[], reference: number[], beta: number, K: number, D: number, k: number, groups: number, seed: number) {
  const logits = problem.initialParameters;
  const pi = Array.from({ length: D }, (_, position) => softmax(Array.from(logits.subarray(position * K, position * K + K))));
  const ref = Array.from({ length: D }, (_, position) => softmax(reference.slice(position * K, position * K + K)));
  const uniform = testUniforms(seed);
  const draw = () => {
    const score = new Float64Array(K * D);
    let pairs = 0;
    let logRatio = 0;
    let previous = 0;
    for (let position = 0; position < D; position++) {
      const token = drawClass(pi[position], uniform);
      logRatio += Math.log(pi[position][token] / ref[position][token]);
      if (position > 0) pairs += bigrams[previous * K + token];
      previous = token;
      for (let a = 0; a < K; a++) score[position * K + a] = (token === a ? 1 : 0) - pi[position][a];
    }
    return { value: -pairs / (D - 1) + beta * logRatio, score };
  };
  return grpoMeanByMonteCarlo(draw, K * D, k, 1e-4, groups);
}

describe('GRPO and Dr. GRPO on sequence-reward', () => {
  const K = 3;
  const D = 4;
  const beta = 0.2;

  it("GRPO's mean estimate matches a Monte Carlo of its definition with 8x the samples and another generator", async () => {
    const { problem, bigrams, reference } = problemWith({ dim: D, classes: K, beta });
    const cpu = await builtInBackends.get('cpu')!({ threads: 2 });
    try {
      const samples = 40_000;
      const moments = await sampleEstimator(cpu, builtInEstimators.get('grpo')!, problem, samples, 11, { k: 4 });
      const expected = grpoMonteCarlo(problem, bigrams, reference, beta, K, D, 4, 8 * samples, 99);
      for (let index = 0; index < K * D; index++) {
        const suiteStdErr = Math.sqrt(moments.sumOfSquaredDeviations[index] / (samples - 1) / samples);
        const band = 5 * Math.hypot(suiteStdErr, expected.stdErr[index]);
        expect(Math.abs(moments.mean[index] - expected.mean[index]), `element ${index}`).toBeLessThan(band);
      }
    } finally {
      cpu.dispose();
    }
  });

  it("Dr. GRPO's mean is (k − 1)/k times the exact gradient, within 5 standard errors", async () => {
    const { problem } = problemWith({ dim: D, classes: K, beta });
    const exact = (await suiteAnswers(problem, problem.initialParameters)).gradient;
    const cpu = await builtInBackends.get('cpu')!({ threads: 2 });
    try {
      const samples = 40_000;
      const k = 3;
      const moments = await sampleEstimator(cpu, builtInEstimators.get('dr-grpo')!, problem, samples, 13, { k });
      for (let index = 0; index < K * D; index++) {
        const stdErr = Math.sqrt(moments.sumOfSquaredDeviations[index] / (samples - 1) / samples);
        expect(Math.abs(moments.mean[index] - ((k - 1) / k) * exact[index]), `element ${index}`).toBeLessThan(5 * stdErr + 1e-12);
      }
    } finally {
      cpu.dispose();
    }
  });
});
