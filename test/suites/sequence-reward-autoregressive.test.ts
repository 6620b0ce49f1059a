import { describe, expect, it } from 'vitest';
import { builtInBackends } from '../../backends/index.js';
import { builtInEstimators } from '../../estimators/index.js';
import { parameterProblem, withDefaults } from '../../core/parameters.js';
import { isStagedProblem, type StagedProblem } from '../../core/suite.js';
import { sequenceReward } from '../../suites/sequence-reward.js';
import { drawSequenceSetting, enumerateSequences } from '../../suites/sequence-reward-policy.js';
import { sampleEstimator } from '../support/helpers.js';
import { centralDifferences } from '../support/central-differences.js';
import { drawClass } from '../support/group-advantage.js';
import { testUniforms } from '../support/random-for-tests.js';

const softmax = (row: number[]) => {
  const exps = row.map(Math.exp);
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((value) => value / total);
};

function stagedProblem(overrides: Record<string, number | string>): StagedProblem {
  const problem = sequenceReward.create(withDefaults(sequenceReward.params, overrides));
  if (!isStagedProblem(problem)) throw new Error('sequence-reward is staged');
  return problem;
}

/**
 * The test's own model of a policy over D tokens of K: position i's probabilities softmax(θᵢ + A[xᵢ₋₁])
 * (A absent for the factorised policy, and for position 0), with θ = params[0 … D·K) and
 * A = params[D·K …) (row = previous token), and the reference softmax(ρᵢ) per position.
 */
function policyModel(params: Float64Array, reference: number[], bigrams: number[], K: number, D: number, autoregressive: boolean) {
  const theta = (position: number) => Array.from(params.subarray(position * K, position * K + K));
  const transition = (previous: number) => Array.from(params.subarray(D * K + previous * K, D * K + previous * K + K));
  // Computed once: the Monte Carlo below reads them for every token it draws.
  const table = Array.from({ length: D }, (_, position) => Array.from({ length: K }, (_, previous) =>
    softmax(theta(position).map((value, token) => value + (autoregressive && position > 0 ? transition(previous)[token] : 0)))));
  const referenceTable = Array.from({ length: D }, (_, position) => softmax(reference.slice(position * K, position * K + K)));
  return {
    probabilities: (position: number, previous: number) => table[position][previous],
    reference: (position: number) => referenceTable[position],
    reward: (tokens: number[]) => tokens.slice(1).reduce((total, token, index) => total + bigrams[tokens[index] * K + token], 0) / (D - 1),
  };
}

describe('the autoregressive sequence-reward policy', () => {
  it('enumerates E[r] − β·KL and its gradient in θ and A exactly (K 3, D 3, against nested loops and central differences)', () => {
    const K = 3;
    const beta = 0.4;
    const { setting, initialLogits } = drawSequenceSetting(3, K, beta, 4, { policy: 'autoregressive' });
    expect(initialLogits.length).toBe(3 * K + K * K);
    const bigrams = Array.from(setting.bigrams);
    const reference = Array.from(setting.referenceLogits);
    // J = Σ over the 27 sequences of π(x) (r(x) − β log π(x)/π_ref(x)), π(x) = π₀(a) π₁(b | a) π₂(c | b).
    const objective = (params: Float64Array) => {
      const model = policyModel(params, reference, bigrams, K, 3, true);
      let total = 0;
      for (let a = 0; a < K; a++) {
        for (let b = 0; b < K; b++) {
          for (let c = 0; c < K; c++) {
            const probability = model.probabilities(0, 0)[a] * model.probabilities(1, a)[b] * model.probabilities(2, b)[c];
            const referenceProbability = model.reference(0)[a] * model.reference(1)[b] * model.reference(2)[c];
            total += probability * (model.reward([a, b, c]) - beta * Math.log(probability / referenceProbability));
          }
        }
      }
      return total;
    };
    const params = initialLogits.map((value, index) => value + 0.4 * Math.cos(index));
    const enumeration = enumerateSequences(setting, params);
    expect(enumeration.loss).toBeCloseTo(-objective(params), 12);
    const differences = centralDifferences(objective, params, 1e-5);
    params.forEach((_, index) => expect(enumeration.gradient[index], `parameter ${index}`).toBeCloseTo(-differences[index], 8));
    // The table matters: the gradient in A is not zero.
    expect(Math.max(...enumeration.gradient.subarray(3 * K).map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it('refuses estimators that do not sample: relaxed ones get a reason, score-function ones none', () => {
    const problem = stagedProblem({ dim: 3, classes: 3, policy: 'autoregressive' });
    expect(problem.unsupportedReason!(builtInEstimators.get('gumbel-softmax')!)).toMatch(/policy=autoregressive/);
    expect(problem.unsupportedReason!(builtInEstimators.get('grpo')!)).toBeNull();
    const k3 = stagedProblem({ dim: 3, classes: 3, kl: 'k3-loss' });
    expect(k3.unsupportedReason!(builtInEstimators.get('st-gumbel-softmax')!)).toMatch(/kl=k3-loss/);
    expect(parameterProblem('policy', sequenceReward.params.policy, 'tree')).toMatch(/policy must be one of factorised, autoregressive, got tree/);
  });
});

/**
 * RLOO with the k3 term in the loss, by Monte Carlo written here from the definitions (own generator,
 * sequences drawn position by position by inverse CDF): per group of k sequences,
 * (1/k) Σⱼ (−r(xⱼ) − mean of the others' −r) ∇ log π(xⱼ) + (β/k) Σⱼ Σᵢ (1 − π_ref,ᵢ(xⱼᵢ)/πᵢ(xⱼᵢ | xⱼ,ᵢ₋₁)) ∇ log πᵢ(xⱼᵢ | ·).
 */
function rlooWithK3MonteCarlo(problem: StagedProblem, K: number, D: number, beta: number, autoregressive: boolean, k: number, groups: number, seed: number) {
  const recorded = problem.recordedParams as Record<string, number[]>;
  const params = problem.initialParameters;
  const model = policyModel(params, recorded.referenceLogits, recorded.bigrams, K, D, autoregressive);
  const width = params.length;
  const uniform = testUniforms(seed);
  const draw = () => {
    const tokens: number[] = [];
    const score = new Float64Array(width);
    const k3Gradient = new Float64Array(width);
    for (let position = 0; position < D; position++) {
      const previous = position > 0 ? tokens[position - 1] : 0;
      const pi = model.probabilities(position, previous);
      const token = drawClass(pi, uniform);
      tokens.push(token);
      const k3Slope = 1 - model.reference(position)[token] / pi[token];
      for (let a = 0; a < K; a++) {
        const share = (token === a ? 1 : 0) - pi[a];
        const targets = [position * K + a, ...(autoregressive && position > 0 ? [D * K + previous * K + a] : [])];
        for (const target of targets) {
          score[target] += share;
          k3Gradient[target] += k3Slope * share;
        }
      }
    }
    return { value: -model.reward(tokens), score, k3Gradient };
  };
  const sum = new Float64Array(width);
  const squares = new Float64Array(width);
  for (let group = 0; group < groups; group++) {
    const members = Array.from({ length: k }, draw);
    const total = members.reduce((all, member) => all + member.value, 0);
    const estimate = new Float64Array(width);
    for (const member of members) {
      const advantage = member.value - (total - member.value) / (k - 1);
      for (let index = 0; index < width; index++) estimate[index] += (advantage * member.score[index] + beta * member.k3Gradient[index]) / k;
    }
    estimate.forEach((value, index) => {
      sum[index] += value;
      squares[index] += value * value;
    });
  }
  const mean = Array.from(sum, (total) => total / groups);
  return { mean, stdErr: Array.from(squares, (total, index) => Math.sqrt(Math.max(0, total / groups - mean[index] ** 2) / groups)) };
}

describe('the k3 KL term in the loss (kl=k3-loss)', () => {
  const K = 3;
  const D = 3;
  const beta = 0.5;
  for (const policy of ['factorised', 'autoregressive'] as const) {
    it(`RLOO + k3's mean estimate matches a Monte Carlo of its definition, and is biased for ∇(−E[r] + β·KL) (${policy})`, async () => {
      const problem = stagedProblem({ dim: D, classes: K, beta, seed: 2, policy, kl: 'k3-loss' });
      const cpu = await builtInBackends.get('cpu')!({ threads: 2 });
      try {
        const samples = 40_000;
        const moments = await sampleEstimator(cpu, builtInEstimators.get('reinforce-loo')!, problem, samples, 17, { k: 4 });
        const expected = rlooWithK3MonteCarlo(problem, K, D, beta, policy === 'autoregressive', 4, 8 * samples, 23);
        const suiteStdErr = (index: number) => Math.sqrt(moments.sumOfSquaredDeviations[index] / (samples - 1) / samples);
        for (let index = 0; index < problem.initialParameters.length; index++) {
          const band = 5 * Math.hypot(suiteStdErr(index), expected.stdErr[index]);
          expect(Math.abs(moments.mean[index] - expected.mean[index]), `element ${index}`).toBeLessThan(band);
        }
        // The reference is the gradient of the reverse KL's objective; k3 in the loss descends another one.
        const { setting } = drawSequenceSetting(D, K, beta, 2, { policy });
        const exact = enumerateSequences(setting, problem.initialParameters).gradient;
        const biased = exact.map((value, index) => Math.abs(moments.mean[index] - value) / suiteStdErr(index));
        expect(Math.max(...biased)).toBeGreaterThan(10);
        if (policy === 'factorised') {
          // In closed form: E[(1 − ρ(x)/π(x))(onehot(x) − π)] = Σₓ (π(x) − ρ(x))(onehot(x) − π) = π − ρ per position, the
          // gradient of the forward KL(π_ref‖π), added to RLOO's unbiased ∇(−E[r]) (the enumeration at β = 0).
          const rewardGradient = enumerateSequences(drawSequenceSetting(D, K, 0, 2).setting, problem.initialParameters).gradient;
          const recorded = problem.recordedParams as Record<string, number[]>;
          const model = policyModel(problem.initialParameters, recorded.referenceLogits, recorded.bigrams, K, D, false);
          for (let index = 0; index < K * D; index++) {
            const [position, token] = [Math.floor(index / K), index % K];
            const closedForm = rewardGradient[index] + beta * (model.probabilities(position, 0)[token] - model.reference(position)[token]);
            expect(Math.abs(moments.mean[index] - closedForm), `element ${index}`).toBeLessThan(5 * suiteStdErr(index));
          }
        }
      } finally {
        cpu.dispose();
      }
    });
  }
});
