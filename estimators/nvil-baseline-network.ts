import type { ParameterValues } from '../core/parameters.js';
import type { ArrayStateValues, HostTermInput, NodeSamples } from '../core/host-terms.js';
import { addSurrogateValueProduct, initialSurrogateWeights, surrogateValue, type SurrogateShape } from './relax-surrogate.js';

/**
 * NVIL's input-dependent baseline c(x) (Mnih & Gregor 2014, section 3.3), as the estimator's host term:
 *   c(x) = c₀ + s₀ · r_ψ(x̂),   x̂ = (a(x) − μ) / √(ν + 10⁻⁴),
 * with c₀ the learned scalar baseline, s₀ = max(1, √(running variance of L)) a scale that keeps the
 * network's target near unit size, and r_ψ a one-hidden-layer tanh network (RELAX's, in
 * `relax-surrogate.ts`) of the row's input to the node a(x), standardised per unit by running means μ
 * and variances ν over earlier steps' rows. a(x) is a function of the data x alone (the encoder's
 * output for a VAE, the first layer's for the stochastic MLP), never of the sample h it centres; the
 * paper's network read x itself, while the hard node sees x only through a(x). r_ψ is trained by
 * regression on the step's rows, of L standardised over them: ½ mean (r_ψ(x̂ᵣ) − (Lᵣ − L̄) / max(1, sd L))².
 */

/** Added to the running variance before its square root: a unit whose input never varies (a toy's logits) stays finite. */
const varianceFloor = 1e-4;

/** The network's shape for a node of `width` units. */
export function baselineNetworkShape(params: ParameterValues, width: number): SurrogateShape {
  return { inputs: width, hidden: Number(params.hidden) };
}

/** The scale s₀ of the network's output: max(1, √(running variance of the objective)). */
export function objectiveScale(objectiveVariance: number): number {
  return Math.max(1, Math.sqrt(objectiveVariance));
}

/**
 * Initial arrays: the hidden layer's N(0, networkScale²) from `networkSeed` and the output layer's zero
 * (so that c(x) starts as the scalar c₀), their Adam moments, and the inputs' running mean 0 and variance 1.
 */
export function initialBaselineArrays(params: ParameterValues, width: number): Record<string, Float64Array> {
  const shape = baselineNetworkShape(params, width);
  const weights = initialSurrogateWeights(shape, Number(params.networkScale), Number(params.networkSeed));
  weights.fill(0, shape.hidden * (shape.inputs + 1));
  return {
    baselineWeights: weights, baselineWeightsMoment: new Float64Array(weights.length), baselineWeightsSquare: new Float64Array(weights.length),
    inputMean: new Float64Array(width), inputVariance: new Float64Array(width).fill(1),
  };
}

/** The mean of the values and their standard deviation, at least 1 (a target's scale never below one nat). */
function meanAndDeviation(values: Float64Array): { mean: number; deviation: number } {
  const mean = values.reduce((total, value) => total + value, 0) / Math.max(1, values.length);
  const variance = values.reduce((total, value) => total + (value - mean) ** 2, 0) / Math.max(1, values.length);
  return { mean, deviation: objectiveScale(variance) };
}

/** Writes the standardised input x̂ of row `row` of `logits` into `out`. */
function standardise(logits: ArrayLike<number>, row: number, arrays: ArrayStateValues, out: Float64Array): void {
  const { inputMean, inputVariance } = arrays;
  for (let unit = 0; unit < out.length; unit++) out[unit] = (logits[row * out.length + unit] - inputMean[unit]) / Math.sqrt(inputVariance[unit] + varianceFloor);
}

/** c(x) of every row of a batch, read with the state values and arrays its kernels read. */
export function rowBaselines(batch: HostTermInput): Float64Array {
  const { rows, width, params, state, arrays, logits } = batch;
  const shape = baselineNetworkShape(params, width);
  const scale = objectiveScale(state.objectiveVariance);
  const activations = new Float64Array(shape.hidden);
  const input = new Float64Array(width);
  const baselines = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    standardise(logits, row, arrays, input);
    baselines[row] = state.learnedBaseline + scale * surrogateValue(arrays.baselineWeights, shape, input, 0, activations);
  }
  return baselines;
}

/** What one training step's regression saw: per row L and c(x), the loss's gradient with respect to ψ, and the inputs' moments. */
export interface BaselineRegression {
  /** L of each row's first evaluation, over the step's batches in order. */
  readonly objectives: Float64Array;
  /** c(x) of each row with the step's values. */
  readonly baselines: Float64Array;
  /** ∂/∂ψ of ½ mean (r_ψ(x̂ᵣ) − (Lᵣ − L̄) / max(1, sd L))² over the step's rows, at the step's weights. */
  readonly weightGradient: Float64Array;
  /** Mean and (population) variance of each unit's input a(x) over the step's rows. */
  readonly inputMean: Float64Array;
  readonly inputVariance: Float64Array;
}

/**
 * The step's regression of the network on its rows (see the file comment), from the batches the hard
 * node recorded with the scalar state they were drawn with, and the arrays the step's kernels read.
 * Without `withGradient` the weight gradient is left zero (the scalar update reads only c(x)).
 */
export function baselineRegression(samples: readonly NodeSamples[], params: ParameterValues, arrays: ArrayStateValues, withGradient = true): BaselineRegression {
  const rows = samples.reduce((total, batch) => total + batch.rows, 0);
  const width = arrays.inputMean.length;
  const result: BaselineRegression = {
    objectives: new Float64Array(rows), baselines: new Float64Array(rows), weightGradient: new Float64Array(arrays.baselineWeights.length),
    inputMean: new Float64Array(width), inputVariance: new Float64Array(width),
  };
  const shape = baselineNetworkShape(params, width);
  const activations = new Float64Array(shape.hidden);
  const input = new Float64Array(width);
  let offset = 0;
  for (const batch of samples) {
    if (!batch.objectives) throw new Error('nvil: a recorded batch has no objective values');
    for (let row = 0; row < batch.rows; row++) result.objectives[offset + row] = batch.objectives[row * batch.evaluations];
    offset += batch.rows;
  }
  // The target: each row's L standardised over the step's rows, a stationary one for r_ψ (c₀ and s₀,
  // running averages over steps, lag behind a falling loss; they scale the prediction when it is used).
  const { mean: objectiveMean, deviation } = meanAndDeviation(result.objectives);
  offset = 0;
  for (const batch of samples) {
    const { state, logits } = batch;
    const scale = objectiveScale(state.objectiveVariance);
    for (let row = 0; row < batch.rows; row++) {
      standardise(logits, row, arrays, input);
      const prediction = surrogateValue(arrays.baselineWeights, shape, input, 0, activations);
      result.baselines[offset + row] = state.learnedBaseline + scale * prediction;
      const residual = prediction - (result.objectives[offset + row] - objectiveMean) / deviation;
      if (withGradient) addSurrogateValueProduct(arrays.baselineWeights, shape, input, 0, activations, residual / rows, result.weightGradient);
      for (let unit = 0; unit < width; unit++) result.inputMean[unit] += logits[row * width + unit] / rows;
    }
    offset += batch.rows;
  }
  for (const batch of samples) {
    for (let row = 0; row < batch.rows; row++) {
      for (let unit = 0; unit < width; unit++) result.inputVariance[unit] += (batch.logits[row * width + unit] - result.inputMean[unit]) ** 2 / rows;
    }
  }
  return result;
}
