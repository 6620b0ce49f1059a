import { describe, expect, it } from 'vitest';
import { centralDifferences } from '../support/central-differences.js';
import { categoricalReinforceOnRebarNoise, expectAdaptationLowersVariance } from '../support/adaptive-variance.js';
import { withDefaults } from '../../core/parameters.js';
import { isStagedProblem } from '../../core/suite.js';
import type { HostTermInput, NodeSamples } from '../../core/host-terms.js';
import { relax, surrogateVarianceGradient } from '../../estimators/relax.js';
import { initialSurrogateWeights, surrogateValue, type SurrogateShape } from '../../estimators/relax-surrogate.js';
import { categoricalToy } from '../../suites/categorical-toy.js';
import { testUniforms } from '../support/random-for-tests.js';

/**
 * RELAX's network terms on categorical nodes against definitions written here again: z = θ − log E and
 * the conditional z̃_b = logsumexp θ − log V_b, z̃_i = −log(e^{−θ_i} V_i + e^{−z̃_b}) (i ≠ b), each unit
 * with its own b = argmin E_j / p_j; the θ-derivatives of r(z) and r(z̃) by central differences with b,
 * E and V held fixed.
 */
const units = 3;
const classes = 4;
const width = units * classes;
const rows = 3;
const params = withDefaults(relax.params, { hidden: 5 });
const shape: SurrogateShape = { inputs: width, hidden: 5 };

function randomBatch(seed: number, weights: Float64Array): HostTermInput {
  const uniform = testUniforms(seed);
  const logits = Float64Array.from({ length: rows * width }, () => 4 * uniform() - 2);
  const probabilities = new Float64Array(rows * width);
  for (let start = 0; start < rows * width; start += classes) {
    const unit = Array.from(logits.subarray(start, start + classes));
    const total = unit.reduce((sum, theta) => sum + Math.exp(theta), 0);
    unit.forEach((theta, k) => { probabilities[start + k] = Math.exp(theta) / total; });
  }
  const noiseWidth = units * 2 * classes;
  const exponentials = Float64Array.from({ length: rows * noiseWidth }, () => -Math.log(uniform()));
  return {
    rows, width, evaluations: 3, logits, probabilities, noiseU: null, noiseV: null, noiseWidth, classes, exponentials,
    h: new Float64Array(rows * 3 * width), step: 0, params, state: { eta: 1, temperature: 0.5 }, arrays: { surrogateWeights: weights },
  };
}

/** Row `row`'s z and z̃ at logits θ (the row's width numbers), with the batch's noise and the b of the batch's own logits. */
function points(batch: HostTermInput, row: number, theta: Float64Array) {
  const z = new Float64Array(width);
  const conditional = new Float64Array(width);
  const score = new Float64Array(width);
  for (let unit = 0; unit < units; unit++) {
    const start = unit * classes;
    const noise = row * batch.noiseWidth + unit * 2 * classes;
    const draw = (k: number) => batch.exponentials![noise + k];
    const p = (k: number) => batch.probabilities[row * width + start + k];
    const arrivals = Array.from({ length: classes }, (_, k) => draw(k) / p(k));
    const b = arrivals.indexOf(Math.min(...arrivals));
    const logZ = Math.log(Array.from({ length: classes }, (_, k) => Math.exp(theta[start + k])).reduce((sum, value) => sum + value, 0));
    const top = logZ - Math.log(draw(classes + b));
    for (let k = 0; k < classes; k++) {
      z[start + k] = theta[start + k] - Math.log(draw(k));
      conditional[start + k] = k === b ? top : -Math.log(Math.exp(-theta[start + k]) * draw(classes + k) + Math.exp(-top));
      score[start + k] = (k === b ? 1 : 0) - p(k);
    }
  }
  return { z, conditional, score };
}

const rowLogits = (batch: HostTermInput, row: number) => Float64Array.from({ length: width }, (_, index) => batch.logits[row * width + index]);

describe('relax on categorical nodes: the network\'s terms', () => {
  const weights = initialSurrogateWeights(shape, 0.6, 7);
  const r = (x: Float64Array) => surrogateValue(weights, shape, x, 0, new Float64Array(shape.hidden));

  it('t = −r(z̃)(b − p) + ∂r(z)/∂θ − ∂r(z̃)/∂θ, the derivatives by finite differences through the conditional z̃', () => {
    const batch = randomBatch(3, weights);
    const terms = relax.hostTerms!.compute(batch).element.surrogateNetTerm;
    for (let row = 0; row < rows; row++) {
      const theta = rowLogits(batch, row);
      const at = points(batch, row, theta);
      const throughSample = centralDifferences((shifted) => r(points(batch, row, shifted).z), theta, 1e-6);
      const throughConditional = centralDifferences((shifted) => r(points(batch, row, shifted).conditional), theta, 1e-6);
      // A unit's classes are mixed through log Z and z̃_b: the derivative is not diagonal.
      expect(throughConditional.some((value) => Math.abs(value) > 1e-3)).toBe(true);
      for (let element = 0; element < width; element++) {
        const expected = -r(at.conditional) * at.score[element] + throughSample[element] - throughConditional[element];
        expect(Math.abs(terms[row * width + element] - expected), `row ${row} element ${element}`).toBeLessThan(1e-7);
      }
    }
  });

  it('the variance gradient is ∂/∂ρ of the mean of Σᵢ ĝᵢ² over the rows, ĝ = (the rest) + the network\'s term, by finite differences', () => {
    const start = initialSurrogateWeights(shape, 0.5, 9);
    const rest = Float64Array.from({ length: rows * width }, (_, index) => Math.sin(index + 1));
    const meanSquare = (at: Float64Array) => {
      const terms = relax.hostTerms!.compute(randomBatch(21, at)).element.surrogateNetTerm;
      return terms.reduce((total, term, index) => total + (rest[index] + term) ** 2, 0) / rows;
    };
    const batch = randomBatch(21, start);
    const terms = relax.hostTerms!.compute(batch).element.surrogateNetTerm;
    const samples: NodeSamples = { ...batch, estimates: rest.map((value, index) => value + terms[index]) };
    const gradient = surrogateVarianceGradient({ params, arrays: { surrogateWeights: start }, samples: [samples] });
    const differences = centralDifferences(meanSquare, start, 1e-6);
    for (let entry = 0; entry < start.length; entry++) {
      expect(Math.abs(gradient[entry] - differences[entry]), `weight ${entry}`).toBeLessThan(1e-5 * (1 + Math.abs(differences[entry])));
    }
    expect(Math.max(...Array.from(differences, Math.abs))).toBeGreaterThan(1e-3);
  });
});

describe('relax adapts η, λ and its network on categorical-toy', () => {
  it('lowers its variance over training, below its variance at step 0 and below REINFORCE\'s', async () => {
    const problem = categoricalToy.create(withDefaults(categoricalToy.params));
    if (isStagedProblem(problem)) throw new Error('categorical-toy is a kernel suite');
    const { initial, adapted } = await expectAdaptationLowersVariance(relax, 300, {}, { problem, reinforce: categoricalReinforceOnRebarNoise });
    expect(adapted.surrogateWeightsNorm).not.toBe(initial.surrogateWeightsNorm);
    expect(adapted.eta).not.toBe(initial.eta);
  });
});
