import { describe, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { quadraticProblem, sampleEstimator, toyProblem, unitsOutsideBand } from '../support/helpers.js';
import { expectAdaptationLowersVariance, totalVariance } from '../support/adaptive-variance.js';
import { centralDifferences } from '../support/central-differences.js';
import { withDefaults } from '../../core/parameters.js';
import { isStagedProblem, type Problem } from '../../core/suite.js';
import { categoricalToy } from '../../suites/categorical-toy.js';
import { Rng } from '../../core/rng.js';
import type { HostTermInput, NodeSamples } from '../../core/host-terms.js';
import { rebar } from '../../estimators/rebar.js';
import { relax, surrogateVarianceGradient } from '../../estimators/relax.js';
import {
  addSurrogateWeightProduct, initialSurrogateWeights, surrogateInputGradient, surrogateValue, surrogateWeightCount, type SurrogateShape,
} from '../../estimators/relax-surrogate.js';

/** A non-trivial φ: η ≠ 1, λ ≠ ½, weights far from 0, nothing adapting while sampled. */
const nonTrivial = { initialEta: 0.7, initialTemperature: 0.8, surrogateScale: 0.6, surrogateSeed: 5, etaRate: 0, temperatureRate: 0, surrogateRate: 0 };

describeEachBackend('relax', (backend, backendId) => {
  it('mean within 5 standard errors of the enumerated gradient on bernoulli-quadratic at a random network and η ≠ 0', async () => {
    const problem = quadraticProblem();
    const moments = await sampleEstimator(backend(), relax, problem, 40_000, 31, nonTrivial);
    expect(unitsOutsideBand(moments, problem.exactGradient(problem.initialLogits), 5)).toEqual([]);
  });

  // RELAX runs on the hard-node stages and REBAR in the fused loop, whose sums over the samples run in
  // another order: the same estimates then agree to float64 rounding on the CPU, float32 on a GPU.
  const expectZeroNetworkGivesRebar = async (problem: Problem) => {
    const fixed = { etaRate: 0, temperatureRate: 0, surrogateRate: 0 };
    // The same stream: sampleEstimator keys it by the estimator's id.
    const zeroNetwork = await sampleEstimator(backend(), { ...relax, id: rebar.id }, problem, 20_000, 5, { ...fixed, surrogateScale: 0 });
    const rebarMoments = await sampleEstimator(backend(), rebar, problem, 20_000, 5, { etaRate: 0, temperatureRate: 0 });
    const withNetwork = await sampleEstimator(backend(), { ...relax, id: rebar.id }, problem, 20_000, 5, { ...fixed, surrogateScale: 0.6 });
    for (let element = 0; element < rebarMoments.mean.length; element++) {
      const tolerance = (backendId === 'cpu' ? 1e-12 : 1e-4) * (Math.abs(rebarMoments.mean[element]) + 1e-3);
      expect(Math.abs(zeroNetwork.mean[element] - rebarMoments.mean[element]), `element ${element}`).toBeLessThanOrEqual(tolerance);
    }
    expect(totalVariance(withNetwork)).not.toBeCloseTo(totalVariance(rebarMoments), 3);
  };

  it('with a zero network gives REBAR\'s estimates, and its network moves them (a check that the term is read)', async () => {
    await expectZeroNetworkGivesRebar(toyProblem({ t: 0.499 }));
  });

  it('on categorical nodes, with a zero network gives REBAR\'s estimates, and its network moves them', async () => {
    const problem = categoricalToy.create(withDefaults(categoricalToy.params));
    if (isStagedProblem(problem)) throw new Error('categorical-toy is a kernel suite');
    await expectZeroNetworkGivesRebar(problem);
  });
});

/** A random batch of a node as the hard node hands it to the host (REBAR's noise: u and v per unit). */
function randomBatch(rows: number, width: number, seed: number, arrays: Record<string, Float64Array>, params: Record<string, number>): HostTermInput {
  const rng = new Rng(seed);
  const logits = Float64Array.from({ length: rows * width }, () => 2 * rng.nextNormal());
  const probabilities = logits.map((theta) => 1 / (1 + Math.exp(-theta)));
  const noiseU = Float64Array.from({ length: rows * width }, () => rng.nextUniform());
  const noiseV = Float64Array.from({ length: rows * width }, () => rng.nextUniform());
  return {
    rows, width, evaluations: 3, logits, probabilities, noiseU, noiseV, noiseWidth: width, h: new Float64Array(rows * 3 * width), step: 0,
    params: withDefaults(relax.params, params), state: { eta: 1, temperature: 0.5 }, arrays,
  };
}

describe('relax: the surrogate network\'s closed forms', () => {
  const shape: SurrogateShape = { inputs: 6, hidden: 4 };
  const weights = initialSurrogateWeights(shape, 0.7, 3);
  const rng = new Rng(17);
  const x = Float64Array.from({ length: shape.inputs }, () => 3 * rng.nextNormal());
  const v = Float64Array.from({ length: shape.inputs }, () => rng.nextNormal());
  const activations = new Float64Array(shape.hidden);
  const inputGradient = new Float64Array(shape.inputs);
  /** α r(x) + vᵀ∇ₓr(x) at these weights. */
  const product = (at: Float64Array, alpha: number) => {
    const value = surrogateValue(at, shape, x, 0, activations);
    surrogateInputGradient(at, shape, activations, inputGradient, 0);
    return alpha * value + inputGradient.reduce((total, entry, input) => total + entry * v[input], 0);
  };
  it('∇ₓr matches finite differences in x', () => {
    surrogateValue(weights, shape, x, 0, activations);
    surrogateInputGradient(weights, shape, activations, inputGradient, 0);
    const differences = centralDifferences((at) => surrogateValue(weights, shape, at, 0, new Float64Array(shape.hidden)), x, 1e-6);
    for (let input = 0; input < shape.inputs; input++) {
      expect(Math.abs(inputGradient[input] - differences[input]), `input ${input}`).toBeLessThan(1e-7);
    }
  });

  it('the weight product of α r(x) + vᵀ∇ₓr(x) matches finite differences per weight', () => {
    const alpha = -1.3;
    const gradient = new Float64Array(surrogateWeightCount(shape));
    surrogateValue(weights, shape, x, 0, activations);
    addSurrogateWeightProduct(weights, shape, x, 0, activations, alpha, v, 0, gradient);
    expect(gradient.length).toBe(shape.hidden * (shape.inputs + 2) + 1);
    const differences = centralDifferences((at) => product(at, alpha), weights, 1e-6);
    for (let entry = 0; entry < gradient.length; entry++) {
      expect(Math.abs(gradient[entry] - differences[entry]), `weight ${entry}`).toBeLessThan(1e-6);
    }
  });

  it('the variance gradient is ∂/∂ρ of the mean of Σᵢ ĝᵢ² over the rows, ĝ = (the rest) + the network\'s term, by finite differences', () => {
    const params = { hidden: 5 };
    const width = 4;
    const start = initialSurrogateWeights({ inputs: width, hidden: 5 }, 0.5, 9);
    const rest = Float64Array.from({ length: 3 * width }, (_, index) => Math.sin(index + 1));
    const meanSquare = (at: Float64Array) => {
      const batch = randomBatch(3, width, 21, { surrogateWeights: at }, params);
      const terms = relax.hostTerms!.compute(batch).element.surrogateNetTerm;
      return terms.reduce((total, term, index) => total + (rest[index] + term) ** 2, 0) / batch.rows;
    };
    const batch = randomBatch(3, width, 21, { surrogateWeights: start }, params);
    const terms = relax.hostTerms!.compute(batch).element.surrogateNetTerm;
    const samples: NodeSamples = { ...batch, estimates: rest.map((value, index) => value + terms[index]) };
    const gradient = surrogateVarianceGradient({ params: batch.params, arrays: { surrogateWeights: start }, samples: [samples] });
    const differences = centralDifferences(meanSquare, start, 1e-6);
    for (let entry = 0; entry < start.length; entry++) {
      expect(Math.abs(gradient[entry] - differences[entry]), `weight ${entry}`).toBeLessThan(1e-5 * (1 + Math.abs(differences[entry])));
    }
    // Not trivially zero: the test could tell a wrong gradient from the right one.
    expect(Math.max(...Array.from(differences, Math.abs))).toBeGreaterThan(1e-3);
  });
});

describe('relax adapts η, λ and its network on the RELAX toy (bernoulli-toy, t = 0.499)', () => {
  it('lowers its variance over training, below its variance at step 0 and below REINFORCE\'s', async () => {
    const { initial, adapted } = await expectAdaptationLowersVariance(relax, 300);
    expect(adapted.surrogateWeightsNorm).not.toBe(initial.surrogateWeightsNorm);
    expect(adapted.eta).not.toBe(initial.eta);
  });
});
