import { describe, expect, it } from 'vitest';
import { createJsTensorOps } from '../../backends/cpu-ops.js';
import { Rng } from '../../core/rng.js';
import { decoderSlice } from '../../suites/vae/vae-model.js';
import { decodeObjective } from '../../suites/vae/vae-objective.js';
import { trainingStages } from '../../suites/vae/vae-stages.js';
import { allStates, randomImages, tinyFamilies, tinyVae } from '../support/vae-tiny.js';

const ops = createJsTensorOps();

/** Central difference of `f` at `x` along coordinate `index` (x is restored). */
async function centralDifference(f: () => Promise<number>, x: Float64Array, index: number, step: number): Promise<number> {
  const original = x[index];
  x[index] = original + step;
  const above = await f();
  x[index] = original - step;
  const below = await f();
  x[index] = original;
  return (above - below) / (2 * step);
}

/** The pipeline is float32 (the backends' precision): differences of a 784-pixel sum are good to about 1e-3. */
function expectClose(analytic: number, numeric: number, what: string) {
  expect(Math.abs(analytic - numeric), `${what}: analytic ${analytic}, differences ${numeric}`).toBeLessThan(5e-3 + 5e-3 * Math.abs(numeric));
}

describe.each(tinyFamilies)('VAE objective on a tiny model with %s latents', (_name, family) => {
  it('dL/dh of the objective matches central differences in h (relaxed h)', async () => {
    const { model, params } = tinyVae(family(), 3);
    const { width } = model.latents;
    const images = new Float32Array(randomImages(1, 5).images.map((value) => (value < 0.4 ? 1 : 0)));
    const logits = Float64Array.from({ length: width }, (_, index) => Math.sin(3 * index) * 1.5);
    const h = Float64Array.from({ length: width }, (_, index) => 0.2 + 0.6 * ((index * 0.37) % 1));
    const decoderParams = decoderSlice(model, Float32Array.from(params));
    const value = async () => (await decodeObjective(ops, model, decoderParams, { h, evaluations: 1, images, logits }, false)).value[0];
    const { gradient } = await decodeObjective(ops, model, decoderParams, { h, evaluations: 1, images, logits }, true);
    for (let element = 0; element < width; element++) {
      expectClose(gradient![element], await centralDifference(value, h, element, 1e-2), `dL/dh[${element}]`);
    }
  });

  it('L of several evaluations per example (hard and relaxed rows) equals L of each row decoded alone with its own example', async () => {
    const { model, params } = tinyVae(family(), 3);
    const { width } = model.latents;
    const images = new Float32Array(randomImages(2, 5).images.map((value) => (value < 0.4 ? 1 : 0)));
    const logits = Float64Array.from({ length: 2 * width }, (_, index) => Math.sin(3 * index) * 1.5);
    // Two examples × three evaluations: a hard state, then two relaxed rows (normalised per categorical unit).
    const states = allStates(model.latents);
    const h = new Float64Array(6 * width);
    for (let row = 0; row < 6; row++) {
      if (row % 3 === 0) h.set(states[(row * 5 + 1) % states.length], row * width);
      else for (let element = 0; element < width; element++) h[row * width + element] = (0.2 + 0.6 * ((element * 0.37 + row * 0.29) % 1)) / model.latents.classes * 2;
    }
    const decoderParams = decoderSlice(model, Float32Array.from(params));
    const { value } = await decodeObjective(ops, model, decoderParams, { h, evaluations: 3, images, logits }, false);
    for (let row = 0; row < 6; row++) {
      const example = Math.floor(row / 3);
      // The row alone, as the one evaluation of its own example (a wrong example's normaliser would show here).
      const alone = await decodeObjective(ops, model, decoderParams, { h: h.slice(row * width, (row + 1) * width), evaluations: 1, images: images.slice(example * 784, (example + 1) * 784), logits: logits.slice(example * width, (example + 1) * width) }, false);
      expect(value[row]).toBeCloseTo(alone.value[0], 9);
    }
  });

  it.each(['elbo', 'iwae'] as const)('the training gradient at fixed h (estimator term zero) matches central differences of the minibatch mean of L (objective %s) in every layer', async (objectiveKind) => {
    const { model, params } = tinyVae(family(), 4);
    const batch = 3;
    const evaluations = 2;
    const stages = trainingStages(ops, model, randomImages(6, 8), batch, objectiveKind);
    const { width } = model.latents;
    // Fixed hard codes for every (example, evaluation): L then depends on the weights only through a and the decoder.
    const states = allStates(model.latents);
    const h = new Float64Array(batch * evaluations * width);
    for (let row = 0; row < batch * evaluations; row++) h.set(states[(row * 5 + 1) % states.length], row * width);
    const meanLoss = async () => {
      const { pass } = await stages.upstream(params, 1, new Rng(11));
      const { value } = await stages.objective(pass, h, evaluations, false);
      if (objectiveKind === 'elbo') return value.reduce((total, entry) => total + entry, 0) / (batch * evaluations);
      // The k-sample bound of each image over its evaluations, −log mean exp(−L), then the minibatch mean.
      let total = 0;
      for (let example = 0; example < batch; example++) {
        const values = Array.from(value.subarray(example * evaluations, (example + 1) * evaluations));
        const smallest = Math.min(...values);
        total += smallest - Math.log(values.reduce((sum, entry) => sum + Math.exp(smallest - entry), 0) / evaluations);
      }
      return total / batch;
    };
    const { pass, logits } = await stages.upstream(params, 1, new Rng(11));
    const objective = await stages.objective(pass, h, evaluations, false);
    const gradient = await stages.backward(pass, params, new Float64Array(logits.length), { h, evaluations, sampleEvaluations: evaluations, objective });
    // Indices in every layer: encoder W1, b1, W2, b2, then decoder W1, b1, W2, b2 (784·5 + 5 + 5·width + width, …).
    const encoderFirst = 784 * 5 + 5;
    const encoderCount = encoderFirst + 5 * width + width;
    const decoderFirst = encoderCount + width * 5 + 5;
    const probes = [7 * 5 + 2, 784 * 5 + 3, encoderFirst + 2, encoderCount - 1, encoderCount + 4, decoderFirst - 2, decoderFirst + 777, params.length - 5];
    for (const index of probes) expectClose(gradient[index], await centralDifference(meanLoss, params, index, 1e-3), `parameter ${index}`);
  });
});

describe.each(tinyFamilies)('%s latent family formulas', (_name, family) => {
  const latents = family();
  const logits = Float64Array.from({ length: latents.width }, (_, index) => Math.cos(2 * index + 1) * 2);

  it('log q sums to one over every state, and the closed-form KL equals Σ q log(q/p) by enumeration', () => {
    let total = 0;
    let kl = 0;
    for (const state of allStates(latents)) {
      const logQ = latents.logPosterior(state, 0, logits, 0);
      total += Math.exp(logQ);
      kl += Math.exp(logQ) * (logQ - latents.logPrior);
    }
    expect(total).toBeCloseTo(1, 12);
    expect(latents.klToPrior(logits, 0)).toBeCloseTo(kl, 12);
  });

  it.skipIf(!latents.logNormaliser)('log q(h | a) = Σ h·a − normaliser(a), written out per unit, at hard and relaxed h', () => {
    if (!latents.logNormaliser) throw new Error('skipped above');
    const relaxed = Float64Array.from({ length: latents.width }, (_, index) => 0.1 + 0.8 * ((index * 0.37) % 1));
    for (const h of [...allStates(latents), relaxed]) {
      // Bernoulli, unit by unit: h log σ(a) + (1 − h) log σ(−a).
      let expected = 0;
      for (let unit = 0; unit < latents.width; unit++) expected += h[unit] * Math.log(1 / (1 + Math.exp(-logits[unit]))) + (1 - h[unit]) * Math.log(1 / (1 + Math.exp(logits[unit])));
      const linear = h.reduce((total, value, index) => total + value * logits[index], 0);
      expect(linear - latents.logNormaliser(logits, 0)).toBeCloseTo(expected, 12);
      expect(latents.logPosterior(h, 0, logits, 0)).toBeCloseTo(expected, 12);
    }
  });

  it('∂log q/∂a and ∂log q/∂h match central differences', async () => {
    // A relaxed code: inside (0, 1), and summing to 1 over each categorical unit (the simplex ∂/∂a assumes).
    const h = Float64Array.from({ length: latents.width }, (_, index) => 0.1 + 0.8 * ((index * 0.61) % 1));
    if (latents.nodeKind === 'categorical') {
      for (let start = 0; start < h.length; start += latents.classes) {
        const total = h.subarray(start, start + latents.classes).reduce((sum, value) => sum + value, 0);
        for (let k = 0; k < latents.classes; k++) h[start + k] /= total;
      }
    }
    const inA = new Float64Array(latents.width);
    latents.addPosteriorGradientInA(h, 0, logits, 0, 1, inA, 0);
    const inH = new Float64Array(latents.width);
    latents.addPosteriorGradientInH(logits, 0, 1, inH, 0);
    const logQ = async () => latents.logPosterior(h, 0, logits, 0);
    for (let element = 0; element < latents.width; element++) {
      expect(inA[element]).toBeCloseTo(await centralDifference(logQ, logits, element, 1e-5), 7);
      expect(inH[element]).toBeCloseTo(await centralDifference(logQ, h, element, 1e-5), 7);
    }
  });

  it('the expectation gradient of one unit matches central differences of Σ_s q(s) f_s', async () => {
    const stateValues = Float64Array.from({ length: latents.classes }, (_, state) => 3 * Math.sin(state + 0.5));
    const probabilities = new Float64Array(latents.width);
    const expectation = async () => {
      latents.probabilities(logits, 0, probabilities, 0);
      // Unit 1's probability of each state: σ(a)/1 − σ(a) for Bernoulli, its softmax for categorical.
      return stateValues.reduce((total, value, state) => {
        const probability = latents.nodeKind === 'bernoulli' ? (state === 1 ? probabilities[1] : 1 - probabilities[1]) : probabilities[latents.classes + state];
        return total + probability * value;
      }, 0);
    };
    latents.probabilities(logits, 0, probabilities, 0);
    const gradient = new Float64Array(latents.width);
    latents.writeExpectationGradient(probabilities, 0, 1, stateValues, gradient, 0);
    const elements = latents.nodeKind === 'bernoulli' ? [1] : Array.from({ length: latents.classes }, (_, k) => latents.classes + k);
    for (const element of elements) expect(gradient[element]).toBeCloseTo(await centralDifference(expectation, logits, element, 1e-5), 7);
  });
});
