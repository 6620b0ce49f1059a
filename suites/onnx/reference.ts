import { nodeProbabilities } from '../../core/node-kinds.js';
import type { Rng } from '../../core/rng.js';
import type { OnnxModelContract } from './model-contract.js';
import type { OnnxObjective } from './objective-session.js';

/** Numbers of h built per call to the model while enumerating or sampling (the session splits further). */
const numbersPerCall = 1 << 22;

/**
 * The node's units as classes: a Bernoulli unit has 2 (h is the class, 0 or 1; one logit per unit), a
 * categorical unit K (h is one-hot over K, unit-major; K logits per unit). A state gives each unit a class.
 */
export interface UnitsLayout {
  readonly units: number;
  readonly classes: number;
  readonly oneHot: boolean;
  /** Numbers per row of h, and logits (trained parameters): D for Bernoulli units, D·K for categorical ones. */
  readonly width: number;
}

export function unitsLayout(contract: OnnxModelContract): UnitsLayout {
  const oneHot = contract.nodeKind === 'categorical';
  return { units: contract.units, classes: oneHot ? contract.classes : 2, oneHot, width: contract.width };
}

/** States of all units: 2^D or K^D. */
export function stateCount(layout: UnitsLayout): number {
  return layout.classes ** layout.units;
}

/** P(class k of unit i), [D × K]: (1 − p, p) with p = σ(θ) for a Bernoulli unit, softmax(θᵢ) for a categorical one. */
function classProbabilities(layout: UnitsLayout, logits: Float64Array): Float64Array {
  if (layout.oneHot) return nodeProbabilities('categorical', logits, layout.classes);
  const probabilities = new Float64Array(2 * layout.units);
  for (let unit = 0; unit < layout.units; unit++) {
    const theta = logits[unit];
    // σ(θ) and σ(−θ) without cancellation at large |θ|.
    probabilities[2 * unit + 1] = theta >= 0 ? 1 / (1 + Math.exp(-theta)) : Math.exp(theta) / (1 + Math.exp(theta));
    probabilities[2 * unit] = theta >= 0 ? Math.exp(-theta) / (1 + Math.exp(-theta)) : 1 / (1 + Math.exp(theta));
  }
  return probabilities;
}

/** Writes the h row of a state (each unit's class) at `offset`. */
function writeRow(layout: UnitsLayout, classOf: ArrayLike<number>, h: Float32Array, offset: number): void {
  const { units, classes, oneHot } = layout;
  for (let unit = 0; unit < units; unit++) {
    if (oneHot) for (let k = 0; k < classes; k++) h[offset + unit * classes + k] = classOf[unit] === k ? 1 : 0;
    else h[offset + unit] = classOf[unit];
  }
}

/**
 * d E[L] / d logits from E[L · 1{unit i in class k}] ([D × K]) and E[L]: for a categorical unit,
 * dE/dθᵢₖ = E[L 1{cᵢ = k}] − πᵢₖ E[L]; a Bernoulli unit's one logit is its class 1's.
 */
function gradientFromClassMeans(layout: UnitsLayout, classMeans: Float64Array, loss: number, probabilities: Float64Array): Float64Array {
  const { units, classes, oneHot } = layout;
  if (oneHot) return classMeans.map((mean, index) => mean - probabilities[index] * loss);
  return Float64Array.from({ length: units }, (_, unit) => classMeans[unit * classes + 1] - probabilities[unit * classes + 1] * loss);
}

/** L of every state, by running the model on all 2^D (or K^D) rows of h; state s gives unit i the class ⌊s / Kⁱ⌋ mod K. */
export async function enumerateObjective(objective: OnnxObjective, layout: UnitsLayout): Promise<Float64Array> {
  const states = stateCount(layout);
  const values = new Float64Array(states);
  const statesPerCall = Math.max(1, Math.floor(numbersPerCall / layout.width));
  const classOf = new Int32Array(layout.units);
  for (let first = 0; first < states; first += statesPerCall) {
    const count = Math.min(statesPerCall, states - first);
    const h = new Float32Array(count * layout.width);
    for (let row = 0; row < count; row++) {
      for (let unit = 0, rest = first + row; unit < layout.units; unit++, rest = Math.floor(rest / layout.classes)) classOf[unit] = rest % layout.classes;
      writeRow(layout, classOf, h, row * layout.width);
    }
    values.set((await objective.evaluate(h, count, false)).value, first);
  }
  return values;
}

/** Exact E[L] and dE[L]/dlogits from L of every state (K^D · D work). */
export function enumeratedExpectation(layout: UnitsLayout, values: Float64Array, logits: Float64Array): { loss: number; gradient: Float64Array } {
  const { units, classes } = layout;
  const probabilities = classProbabilities(layout, logits);
  // P(s), built one unit at a time: the states of the first i units, times each class of unit i.
  const stateProbability = new Float64Array(values.length);
  stateProbability[0] = 1;
  for (let unit = 0, filled = 1; unit < units; unit++, filled *= classes) {
    for (let state = 0; state < filled; state++) {
      const base = stateProbability[state];
      for (let k = classes - 1; k >= 0; k--) stateProbability[state + k * filled] = base * probabilities[unit * classes + k];
    }
  }
  const classMeans = new Float64Array(units * classes);
  let loss = 0;
  for (let state = 0; state < values.length; state++) {
    const weighted = stateProbability[state] * values[state];
    loss += weighted;
    for (let unit = 0, rest = state; unit < units; unit++, rest = Math.floor(rest / classes)) classMeans[unit * classes + (rest % classes)] += weighted;
  }
  return { loss, gradient: gradientFromClassMeans(layout, classMeans, loss, probabilities) };
}

/** Draws every unit's class by inverting its cumulative class probabilities at one uniform. */
function drawClasses(layout: UnitsLayout, probabilities: Float64Array, uniforms: ArrayLike<number>, offset: number, classOf: Int32Array): void {
  for (let unit = 0; unit < layout.units; unit++) {
    let k = 0;
    let cumulative = probabilities[unit * layout.classes];
    while (k < layout.classes - 1 && uniforms[offset + unit] >= cumulative) cumulative += probabilities[unit * layout.classes + ++k];
    classOf[unit] = k;
  }
}

/**
 * A Monte Carlo reference gradient with its per-parameter standard error. For each sample and unit i,
 * the score function's expectation over unit i's class given the other units (Titsias and
 * Lázaro-Gredilla's local expectation gradient): πᵢₖ (L(cᵢ = k) − Σⱼ πᵢⱼ L(cᵢ = j)), p(1 − p)(L(1) − L(0))
 * for a Bernoulli unit. Unbiased and far less noisy than REINFORCE; each sample runs the model on the
 * sample and its D (K − 1) neighbours.
 */
export async function monteCarloGradient(
  objective: OnnxObjective, layout: UnitsLayout, logits: Float64Array, samples: number, rng: Rng,
): Promise<{ gradient: Float64Array; stdErr: Float64Array }> {
  const { units, classes, width } = layout;
  const probabilities = classProbabilities(layout, logits);
  const rows = 1 + units * (classes - 1);
  const samplesPerCall = Math.max(1, Math.floor(numbersPerCall / (rows * width)));
  const mean = new Float64Array(logits.length);
  const sumOfSquaredDeviations = new Float64Array(logits.length);
  const classOf = new Int32Array(units);
  const sampleClasses = new Int32Array(samplesPerCall * units);
  const uniforms = new Float64Array(units);
  const lossByClass = new Float64Array(units * classes);
  let drawn = 0;
  while (drawn < samples) {
    const count = Math.min(samplesPerCall, samples - drawn);
    const h = new Float32Array(count * rows * width);
    for (let sample = 0; sample < count; sample++) {
      for (let unit = 0; unit < units; unit++) uniforms[unit] = rng.nextUniform();
      drawClasses(layout, probabilities, uniforms, 0, classOf);
      sampleClasses.set(classOf, sample * units);
      let row = sample * rows;
      writeRow(layout, classOf, h, row++ * width);
      // Then each unit moved to each of its other classes, in order.
      for (let unit = 0; unit < units; unit++) {
        const own = classOf[unit];
        for (let k = 0; k < classes; k++) {
          if (k === own) continue;
          classOf[unit] = k;
          writeRow(layout, classOf, h, row++ * width);
        }
        classOf[unit] = own;
      }
    }
    const { value } = await objective.evaluate(h, count * rows, false);
    for (let sample = 0; sample < count; sample++) {
      drawn += 1;
      let row = sample * rows + 1;
      for (let unit = 0; unit < units; unit++) {
        const own = sampleClasses[sample * units + unit];
        let expected = 0;
        for (let k = 0; k < classes; k++) {
          lossByClass[unit * classes + k] = k === own ? value[sample * rows] : value[row++];
          expected += probabilities[unit * classes + k] * lossByClass[unit * classes + k];
        }
        for (let k = layout.oneHot ? 0 : 1; k < classes; k++) {
          const estimate = probabilities[unit * classes + k] * (lossByClass[unit * classes + k] - expected);
          const parameter = layout.oneHot ? unit * classes + k : unit;
          // Welford's update, in float64.
          const delta = estimate - mean[parameter];
          mean[parameter] += delta / drawn;
          sumOfSquaredDeviations[parameter] += delta * (estimate - mean[parameter]);
        }
      }
    }
  }
  const stdErr = sumOfSquaredDeviations.map((total) => Math.sqrt(total / (samples - 1) / samples));
  return { gradient: mean, stdErr };
}

/**
 * E[L] estimated from samples drawn with the given uniforms ([samples × D], one per unit): the same
 * uniforms at every call make the estimate a smooth function of the logits along training.
 */
export async function monteCarloLoss(objective: OnnxObjective, layout: UnitsLayout, logits: Float64Array, uniforms: Float32Array): Promise<number> {
  const samples = uniforms.length / layout.units;
  const probabilities = classProbabilities(layout, logits);
  const h = new Float32Array(samples * layout.width);
  const classOf = new Int32Array(layout.units);
  for (let sample = 0; sample < samples; sample++) {
    drawClasses(layout, probabilities, uniforms, sample * layout.units, classOf);
    writeRow(layout, classOf, h, sample * layout.width);
  }
  const { value } = await objective.evaluate(h, samples, false);
  return value.reduce((total, loss) => total + loss, 0) / samples;
}
