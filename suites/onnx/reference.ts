import { Rng } from '../../harness/rng.js';
import type { OnnxObjective } from './objective-session.js';

/** Numbers of h built per call to the model while enumerating or sampling (the session splits further). */
const numbersPerCall = 1 << 22;

function sigmoid(theta: number): number {
  return theta >= 0 ? 1 / (1 + Math.exp(-theta)) : Math.exp(theta) / (1 + Math.exp(theta));
}

/**
 * L of every state of D Bernoulli units, by running the model on all 2^D rows of h; state s has
 * b_i = bit i of s.
 */
export async function enumerateObjective(objective: OnnxObjective, units: number): Promise<Float64Array> {
  const states = 2 ** units;
  const values = new Float64Array(states);
  const statesPerCall = Math.max(1, Math.floor(numbersPerCall / units));
  for (let first = 0; first < states; first += statesPerCall) {
    const count = Math.min(statesPerCall, states - first);
    const h = new Float32Array(count * units);
    for (let row = 0; row < count; row++) {
      const state = first + row;
      for (let unit = 0; unit < units; unit++) h[row * units + unit] = (state >>> unit) & 1;
    }
    values.set((await objective.evaluate(h, count, false)).value, first);
  }
  return values;
}

/** P(s) of every state under independent Bernoulli(sigmoid(logit_i)) units, built one unit at a time (2^D work). */
function stateProbabilities(logits: Float64Array): Float64Array {
  const probabilities = new Float64Array(2 ** logits.length);
  probabilities[0] = 1;
  for (let unit = 0, filled = 1; unit < logits.length; unit++, filled *= 2) {
    const on = sigmoid(logits[unit]);
    const off = sigmoid(-logits[unit]);
    for (let state = 0; state < filled; state++) {
      probabilities[state + filled] = probabilities[state] * on;
      probabilities[state] *= off;
    }
  }
  return probabilities;
}

/** Exact E[L] and dE[L]/dlogit_i = E[L (b_i − p_i)] from L of every state. */
export function enumeratedExpectation(values: Float64Array, logits: Float64Array): { loss: number; gradient: Float64Array } {
  const units = logits.length;
  const probabilities = stateProbabilities(logits);
  const weightedOn = new Float64Array(units);
  let loss = 0;
  for (let state = 0; state < values.length; state++) {
    const weighted = probabilities[state] * values[state];
    loss += weighted;
    for (let unit = 0; unit < units; unit++) if ((state >>> unit) & 1) weightedOn[unit] += weighted;
  }
  // E[L (b_i − p_i)] = E[L b_i] − p_i E[L]
  const gradient = weightedOn.map((onTotal, unit) => onTotal - sigmoid(logits[unit]) * loss);
  return { loss, gradient };
}

/**
 * A Monte Carlo reference gradient with its per-unit standard error: for each sample b and unit i,
 * p_i (1 − p_i) (L(b with b_i = 1) − L(b with b_i = 0)), the conditional expectation of the score
 * function given the other units (Titsias and Lázaro-Gredilla's local expectation gradient), which is
 * unbiased and far less noisy than REINFORCE. Each sample runs the model on D + 1 rows.
 */
export async function monteCarloGradient(
  objective: OnnxObjective, logits: Float64Array, samples: number, rng: Rng,
): Promise<{ gradient: Float64Array; stdErr: Float64Array }> {
  const units = logits.length;
  const on = logits.map(sigmoid);
  const rows = units + 1;
  const samplesPerCall = Math.max(1, Math.floor(numbersPerCall / (rows * units)));
  const mean = new Float64Array(units);
  const sumOfSquaredDeviations = new Float64Array(units);
  let drawn = 0;
  while (drawn < samples) {
    const count = Math.min(samplesPerCall, samples - drawn);
    const h = new Float32Array(count * rows * units);
    for (let sample = 0; sample < count; sample++) {
      const base = sample * rows * units;
      for (let unit = 0; unit < units; unit++) h[base + unit] = rng.nextUniform() < on[unit] ? 1 : 0;
      // Row 1 + i is the sample with unit i flipped.
      for (let flipped = 0; flipped < units; flipped++) {
        const row = base + (1 + flipped) * units;
        h.copyWithin(row, base, base + units);
        h[row + flipped] = 1 - h[base + flipped];
      }
    }
    const { value } = await objective.evaluate(h, count * rows, false);
    for (let sample = 0; sample < count; sample++) {
      drawn += 1;
      const sampled = value[sample * rows];
      for (let unit = 0; unit < units; unit++) {
        const isOn = h[sample * rows * units + unit] === 1;
        const flippedValue = value[sample * rows + 1 + unit];
        const difference = isOn ? sampled - flippedValue : flippedValue - sampled;
        const estimate = on[unit] * (1 - on[unit]) * difference;
        // Welford's update, in float64.
        const delta = estimate - mean[unit];
        mean[unit] += delta / drawn;
        sumOfSquaredDeviations[unit] += delta * (estimate - mean[unit]);
      }
    }
  }
  const stdErr = sumOfSquaredDeviations.map((total) => Math.sqrt(total / (samples - 1) / samples));
  return { gradient: mean, stdErr };
}

/**
 * E[L] estimated from samples b_i = [u_i < p_i] with the given uniforms ([samples × D]): the same
 * uniforms at every call make the estimate a smooth function of the logits along training.
 */
export async function monteCarloLoss(objective: OnnxObjective, logits: Float64Array, uniforms: Float32Array): Promise<number> {
  const units = logits.length;
  const samples = uniforms.length / units;
  const on = logits.map(sigmoid);
  const h = new Float32Array(uniforms.length);
  for (let index = 0; index < h.length; index++) h[index] = uniforms[index] < on[index % units] ? 1 : 0;
  const { value } = await objective.evaluate(h, samples, false);
  return value.reduce((total, loss) => total + loss, 0) / samples;
}
