import { describe, expect, it } from 'vitest';
import { rebarCategoricalForward, rebarCategoricalGradient } from '../../estimators/rebar-categorical-kernels.js';
import { rebar } from '../../estimators/rebar.js';
import { withDefaults } from '../../core/parameters.js';
import { isStagedProblem, type Problem } from '../../core/suite.js';
import { categoricalToy } from '../../suites/categorical-toy.js';
import { categoricalReinforceOnRebarNoise, expectAdaptationLowersVariance } from '../support/adaptive-variance.js';
import { testUniforms } from '../support/random-for-tests.js';

/**
 * The categorical REBAR kernels against the definitions written here again, with log Z and the
 * Gumbels themselves (the kernels work relative to the sampled class, without either): the relaxed
 * points softmax(z/λ) and softmax(z̃/λ), and their θ-derivatives by central finite differences.
 */
const classes = 5;
const temperature = 0.6;
const logSumExp = (values: readonly number[]) => {
  const largest = Math.max(...values);
  return largest + Math.log(values.reduce((sum, value) => sum + Math.exp(value - largest), 0));
};
const softmaxAt = (z: readonly number[], lambda: number) => {
  const weights = z.map((value) => Math.exp((value - Math.max(...z)) / lambda));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight) => weight / total);
};
/** z = θ + G with G = −log E. */
const gumbelPoint = (theta: readonly number[], first: readonly number[]) => theta.map((value, k) => value - Math.log(first[k]));
/** The conditional z̃ given class b: z̃_b = log Z − log V_b, z̃_i = −log(e^{−θ_i} V_i + e^{−z̃_b}) (Tucker et al. 2017, appendix). */
function conditionalPoint(theta: readonly number[], second: readonly number[], b: number): number[] {
  const top = logSumExp(theta) - Math.log(second[b]);
  return theta.map((value, i) => (i === b ? top : -Math.log(Math.exp(-value) * second[i] + Math.exp(-top))));
}
const target = [0.1, 0.5, 0.05, 0.3, 0.05];
/** f(x) = Σ_k w_k (x_k − c_k)² with unequal weights, so that no symmetry hides a wrong term. */
const lossWeights = [1, 2, 0.5, 3, 1.5];
const loss = (x: readonly number[]) => x.reduce((sum, value, k) => sum + lossWeights[k] * (value - target[k]) ** 2, 0);
const lossSlope = (x: readonly number[]) => x.map((value, k) => 2 * lossWeights[k] * (value - target[k]));

/** One unit's numbers as the kernels read them (unitStart = noiseStart = hStart = 0). */
function unitCase(seed: number) {
  const uniform = testUniforms(seed);
  const theta = Array.from({ length: classes }, () => 3 * uniform() - 1.5);
  const probabilities = softmaxAt(theta, 1);
  const exponentials = Array.from({ length: 2 * classes }, () => -Math.log(uniform()));
  const first = exponentials.slice(0, classes);
  const second = exponentials.slice(classes);
  const arrivals = first.map((draw, k) => draw / probabilities[k]);
  const b = arrivals.indexOf(Math.min(...arrivals));
  return { theta, probabilities, exponentials, first, second, b };
}

const forwardRow = (probabilities: readonly number[], exponentials: readonly number[], evaluation: number) =>
  Array.from({ length: classes }, (_, c) => rebarCategoricalForward(probabilities, exponentials, 0, 0, classes, c, evaluation, temperature));

/** The kernel's contribution of one evaluation for every class, at objective value `objective` and η = `eta`. */
function gradientRow(unit: ReturnType<typeof unitCase>, evaluation: number, objective: number, eta: number): number[] {
  const h = forwardRow(unit.probabilities, unit.exponentials, evaluation);
  const slopes = lossSlope(h);
  return Array.from({ length: classes }, (_, c) => rebarCategoricalGradient(
    unit.probabilities, unit.exponentials, h, slopes, 0, 0, 0, classes, c, unit.probabilities[c], h[c], slopes[c], objective, evaluation, eta, temperature,
  ));
}

/** Central differences of `value(θ)` in each θ_j. */
function finiteDifferences(theta: readonly number[], value: (theta: number[]) => number, step = 1e-6): number[] {
  return theta.map((_, j) => {
    const shifted = (delta: number) => value(theta.map((entry, k) => (k === j ? entry + delta : entry)));
    return (shifted(step) - shifted(-step)) / (2 * step);
  });
}

describe('categorical rebar kernels', () => {
  it.each([1, 2, 3, 4, 5, 6])('compute b, softmax(z/λ) and softmax(z̃/λ) as their definitions do (case %i)', (seed) => {
    const unit = unitCase(seed);
    expect(forwardRow(unit.probabilities, unit.exponentials, 0)).toEqual(Array.from({ length: classes }, (_, k) => (k === unit.b ? 1 : 0)));
    const relaxed = softmaxAt(gumbelPoint(unit.theta, unit.first), temperature);
    forwardRow(unit.probabilities, unit.exponentials, 1).forEach((value, k) => expect(value).toBeCloseTo(relaxed[k], 12));
    const conditional = conditionalPoint(unit.theta, unit.second, unit.b);
    // z̃ is a draw of z given b: b is its largest entry.
    expect(conditional.indexOf(Math.max(...conditional))).toBe(unit.b);
    const conditionalRelaxed = softmaxAt(conditional, temperature);
    forwardRow(unit.probabilities, unit.exponentials, 2).forEach((value, k) => expect(value).toBeCloseTo(conditionalRelaxed[k], 12));
  });

  it.each([1, 2, 3, 4, 5, 6])('give ∂f(softmax(z/λ))/∂θ and ∂f(softmax(z̃/λ))/∂θ as finite differences do, b and the noise fixed (case %i)', (seed) => {
    const unit = unitCase(seed);
    const relaxedLoss = (theta: number[]) => loss(softmaxAt(gumbelPoint(theta, unit.first), temperature));
    const conditionalLoss = (theta: number[]) => loss(softmaxAt(conditionalPoint(theta, unit.second, unit.b), temperature));
    const eta = 0.7;
    // Evaluation 1: η ∂f(softmax(z/λ))/∂θ.
    const relaxedSlope = finiteDifferences(unit.theta, relaxedLoss);
    gradientRow(unit, 1, 0, eta).forEach((value, j) => expect(value).toBeCloseTo(eta * relaxedSlope[j], 7));
    // Evaluation 2 at objective 0: −η ∂f(softmax(z̃/λ))/∂θ, through ∂z̃/∂θ of the conditional reparameterisation.
    const conditionalSlope = finiteDifferences(unit.theta, conditionalLoss);
    expect(conditionalSlope.some((value) => Math.abs(value) > 1e-3)).toBe(true);
    gradientRow(unit, 2, 0, eta).forEach((value, j) => expect(value).toBeCloseTo(-eta * conditionalSlope[j], 7));
  });

  it('score terms: (b − p) f(b) at evaluation 0 and −η (b − p) f(softmax(z̃/λ)) at evaluation 2', () => {
    const unit = unitCase(9);
    const score = unit.probabilities.map((p, k) => (k === unit.b ? 1 : 0) - p);
    gradientRow(unit, 0, 1.7, 0.4).forEach((value, j) => expect(value).toBeCloseTo(1.7 * score[j], 14));
    const withObjective = gradientRow(unit, 2, 1.7, 0.4);
    const withoutObjective = gradientRow(unit, 2, 0, 0.4);
    withObjective.forEach((value, j) => expect(value - withoutObjective[j]).toBeCloseTo(-0.4 * 1.7 * score[j], 14));
  });
});

describe('rebar adapts η and λ on categorical-toy', () => {
  it('lowers its variance over training, below its variance at step 0 and below REINFORCE\'s', async () => {
    const problem: Problem | ReturnType<typeof categoricalToy.create> = categoricalToy.create(withDefaults(categoricalToy.params));
    if (isStagedProblem(problem)) throw new Error('categorical-toy is a kernel suite');
    const { initial, adapted } = await expectAdaptationLowersVariance(rebar, 300, {}, { problem, reinforce: categoricalReinforceOnRebarNoise });
    expect(adapted.eta).not.toBe(initial.eta);
    expect(adapted.temperature).not.toBe(initial.temperature);
  });
});
