import { describe, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { builtInEstimators } from '../../estimators/index.js';
import { sampleEstimator, toyProblem, unitsOutsideBand } from '../support/helpers.js';
import { kSampleBoundGradientByCounts } from '../support/k-sample-bound.js';

const samples = 40_000;
/** With the seed fixed the test is deterministic; 5 se keeps the chance of a false alarm per run under 1e-4. */
const sigmas = 5;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Simpson's rule on [low, high] with `intervals` (even) intervals. */
function integrate(f: (x: number) => number, low: number, high: number, intervals = 20_000): number {
  const step = (high - low) / intervals;
  let total = f(low) + f(high);
  for (let index = 1; index < intervals; index++) total += (index % 2 === 0 ? 2 : 4) * f(low + index * step);
  return (total * step) / 3;
}

const normalDensity = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
const normalCdf = (z: number) => integrate(normalDensity, -12, z);
/** Density of the logistic variable log(u / (1 - u)), u ~ U(0, 1). */
const logisticDensity = (l: number) => Math.exp(-Math.abs(l)) / (1 + Math.exp(-Math.abs(l))) ** 2;

/** The toy's per-unit loss ℓ(h) = |h − t|^power and its slope ℓ'(h), written here from the definition. */
interface ToyLoss {
  readonly t: number;
  readonly power: number;
  loss(h: number): number;
  slope(h: number): number;
}

function toyLoss(t: number, power: number): ToyLoss {
  return {
    t,
    power,
    loss: (h) => Math.abs(h - t) ** power,
    slope: (h) => (h === t ? 0 : power * Math.abs(h - t) ** (power - 1) * Math.sign(h - t)),
  };
}

/** E[ℓ'(b)] for b ~ Bernoulli(q): what a straight-through estimator copies back, on average. */
const meanSlopeOfSample = (q: number, toy: ToyLoss) => q * toy.slope(1) + (1 - q) * toy.slope(0);
/** The exact gradient p(1 − p)(ℓ(1) − ℓ(0)), which every unbiased estimator must match. */
const exactToyGradient = (theta: number, toy: ToyLoss) => sigmoid(theta) * (1 - sigmoid(theta)) * (toy.loss(1) - toy.loss(0));

/** E[estimate] of unit `unit` (logit theta = logits[unit]); only VIMCO's depends on the other units. */
type Expectation = (theta: number, params: Record<string, number>, toy: ToyLoss, step: number, logits: readonly number[], unit: number) => number;

const kSampleBoundGradients = new Map<string, number[]>();
/** ∇E[L_k] of the toy's k-sample bound (its f is D ℓ(0) + N (ℓ(1) − ℓ(0)) for N ones), by enumerating the counts. */
function toyKSampleBoundGradient(logits: readonly number[], toy: ToyLoss, k: number): number[] {
  const key = JSON.stringify([logits, toy.t, toy.power, k]);
  let gradient = kSampleBoundGradients.get(key);
  if (!gradient) {
    gradient = kSampleBoundGradientByCounts(logits, k, (count) => (logits.length - count) * toy.loss(0) + count * toy.loss(1));
    kSampleBoundGradients.set(key, gradient);
  }
  return gradient;
}

/**
 * E[estimate] per unit, derived by hand from each estimator's definition (not from its code): the
 * straight-through estimators' expectations in closed form over their Bernoulli sample, the
 * relaxations' by quadrature over their noise, the exact gradient for the unbiased estimators.
 */
const expectedMean: Record<string, Expectation> = {
  'ste-identity': (theta, _, toy) => meanSlopeOfSample(sigmoid(theta), toy),
  'ste-sigmoid': (theta, _, toy) => meanSlopeOfSample(sigmoid(theta), toy) * sigmoid(theta) * (1 - sigmoid(theta)),
  // b ~ Bernoulli(clip((θ + 1)/2, 0, 1)), slope ½ on (−1, 1).
  'hard-sigmoid-st': (theta, _, toy) => (Math.abs(theta) < 1 ? 0.5 * meanSlopeOfSample((theta + 1) / 2, toy) : 0),
  // b ~ Bernoulli(σ(aθ)), backward a σ'(aθ), a = min(maxSlope, 1 + slopeRate · step).
  // Chung et al.'s hard sigmoid clip((a θ + 1) / 2, 0, 1), slope a/2 inside |a θ| < 1.
  'slope-annealed-st': (theta, { slopeRate, maxSlope }, toy, step) => {
    const slope = Math.min(maxSlope, 1 + slopeRate * step);
    return Math.abs(slope * theta) < 1 ? 0.5 * slope * meanSlopeOfSample((slope * theta + 1) / 2, toy) : 0;
  },
  'slope-annealed-sigmoid-st': (theta, { slopeRate, maxSlope }, toy, step) => {
    const slope = Math.min(maxSlope, 1 + slopeRate * step);
    const q = sigmoid(slope * theta);
    return meanSlopeOfSample(q, toy) * slope * q * (1 - q);
  },
  // h = √p with probability √p (else 0, where the gradient is 0); dh/dθ = ½ √p (1 − p) when on.
  'stochastic-times-smooth': (theta, _, toy) => {
    const p = sigmoid(theta);
    const smooth = Math.sqrt(p);
    return smooth * toy.slope(smooth) * 0.5 * smooth * (1 - p);
  },
  'bengio-unbiased': (theta, _, toy) => exactToyGradient(theta, toy),
  'reinforce-loo': (theta, _, toy) => exactToyGradient(theta, toy),
  // f − group mean = ((k − 1)/k)(f − mean of the others): (k − 1)/k times leave-one-out's mean.
  'dr-grpo': (theta, { k }, toy) => ((k - 1) / k) * exactToyGradient(theta, toy),
  arm: (theta, _, toy) => exactToyGradient(theta, toy),
  disarm: (theta, _, toy) => exactToyGradient(theta, toy),
  muprop: (theta, _, toy) => exactToyGradient(theta, toy),
  // Unbiased for the k-sample bound's gradient, not for E[f]'s.
  vimco: (_theta, { k }, toy, _step, logits, unit) => toyKSampleBoundGradient(logits, toy, k)[unit],
  // Unbiased for every η and λ (their initial values here: scores are taken at the state's start).
  rebar: (theta, _, toy) => exactToyGradient(theta, toy),
  // Unbiased for every η, λ and network (its initial weights here).
  relax: (theta, _, toy) => exactToyGradient(theta, toy),
  // The learned baseline is a constant of the step; the normaliser starts at 1.
  nvil: (theta, _, toy) => exactToyGradient(theta, toy),
  // x = θ + σz, h = clip((x + 1)/2, 0, 1), gradient ℓ'(h) · ½ on −1 < x < 1.
  'additive-noise': (theta, { sigma }, toy) => {
    const low = (-1 - theta) / sigma;
    const high = (1 - theta) / sigma;
    if (toy.power === 2) {
      // Closed form of E[2(h − t) · ½ · 1{−1 < x < 1}] with h linear in z on that interval.
      return ((theta + 1) / 2 - toy.t) * (normalCdf(high) - normalCdf(low)) + (sigma / 2) * (normalDensity(low) - normalDensity(high));
    }
    return integrate((z) => 0.5 * toy.slope((theta + sigma * z + 1) / 2) * normalDensity(z), low, high);
  },
  // h = p m with m = 1 + σz, gradient ℓ'(h) m p (1 − p).
  'multiplicative-noise': (theta, { sigma }, toy) => {
    const p = sigmoid(theta);
    if (toy.power === 2) return 2 * p * (1 - p) * (p * (1 + sigma * sigma) - toy.t); // E[2(pm − t) m], E[m²] = 1 + σ²
    return p * (1 - p) * integrate((z) => toy.slope(p * (1 + sigma * z)) * (1 + sigma * z) * normalDensity(z), -12, 12);
  },
  // DARN(½): b (1 − p) + (1 − b) p halves, averaged over b ~ Bernoulli(p).
  zgr: (theta, _, toy) => {
    const p = sigmoid(theta);
    return 0.5 * (p * (1 - p) * toy.slope(1) + (1 - p) * p * toy.slope(0));
  },
  'gumbel-softmax': (theta, { tau }, toy) =>
    integrate((l) => {
      const y = sigmoid((theta + l) / tau);
      return ((toy.slope(y) * y * (1 - y)) / tau) * logisticDensity(l);
    }, -40, 40),
};

/** The default toy and a second one whose per-unit loss is cubic and whose target sits elsewhere. */
const toySettings = [
  { t: 0.45, power: 2 },
  { t: 0.3, power: 3 },
];

const nonDefaultCases: Array<[string, Record<string, number>, number]> = [
  ['gumbel-softmax', { tau: 0.7 }, 0],
  ['gumbel-softmax', { tau: 1 / 3 }, 0],
  ['additive-noise', { sigma: 0.5 }, 0],
  ['multiplicative-noise', { sigma: 0.5 }, 0],
  ['reinforce-loo', { k: 2 }, 0],
  ['rebar', { initialEta: 0.4, initialTemperature: 0.2 }, 0],
  ['rebar', { initialEta: 2, initialTemperature: 1.5 }, 0],
  ['relax', { initialEta: 0.4, surrogateScale: 1, hidden: 3 }, 0],
  ['nvil', { initialBaseline: 1.5 }, 0],
  // 8 evaluations × 8192 samples exceed headless-gl's 16 384 texture rows: the GPU splits the batch.
  ['reinforce-loo', { k: 8 }, 0],
  // k = 5: beyond 4 evaluations the CPU loops keep a loop over them.
  ['vimco', { k: 2 }, 0],
  ['vimco', { k: 5 }, 0],
  // Along training the slope grows: a = 1 + 0.04 · 50 = 3, then capped at maxSlope.
  ['slope-annealed-st', {}, 50],
  ['slope-annealed-st', { slopeRate: 0.1, maxSlope: 4 }, 200],
  ['slope-annealed-sigmoid-st', {}, 50],
  ['slope-annealed-sigmoid-st', { slopeRate: 0.1, maxSlope: 4 }, 200],
];

describeEachBackend('estimator means', (backend) => {
  it('runs on a real device path (not the silent CPU fallback of gpu.js)', () => {
    if (process.env.ESTIBENCH_ALLOW_GPU_FALLBACK === '1') return;
    expect(backend().mode, `fallbacks: ${backend().fallbacks.join('; ')}`).not.toBe('gpu:cpu-fallback');
  });

  /** The estimators defined on Bernoulli nodes; the categorical-only ones are tested on categorical-toy. */
  const onBernoulliNodes = [...builtInEstimators.values()].filter((estimator) => estimator.nodeKinds.includes('bernoulli')).map((estimator) => estimator.id);

  it('has a hand-derived expectation for every registered estimator on Bernoulli nodes', () => {
    expect(onBernoulliNodes.filter((id) => !(id in expectedMean))).toEqual([]);
  });

  describe.each(toySettings)('bernoulli-toy with t = $t, power = $power', (setting) => {
    it.each(onBernoulliNodes)('%s matches its expected mean within 5 standard errors', async (estimatorId) => {
      const estimator = builtInEstimators.get(estimatorId)!;
      const problem = toyProblem(setting);
      const params = Object.fromEntries(Object.entries(estimator.params).map(([name, spec]) => [name, Number(spec.default)]));
      const moments = await sampleEstimator(backend(), estimator, problem, samples);
      const toy = toyLoss(setting.t, setting.power);
      const logits = Array.from(problem.initialLogits);
      const expected = logits.map((theta, unit) => expectedMean[estimatorId](theta, params, toy, 0, logits, unit));
      expect(unitsOutsideBand(moments, expected, sigmas)).toEqual([]);
      if (estimator.claimsUnbiased) {
        expect(unitsOutsideBand(moments, problem.exactGradient(problem.initialLogits), sigmas)).toEqual([]);
      }
    });
  });

  it.each(nonDefaultCases)('%s with %j at training step %i matches its expected mean', async (estimatorId, overrides, step) => {
    const estimator = builtInEstimators.get(estimatorId)!;
    const problem = toyProblem({ t: 0.45 });
    const params = Object.fromEntries(Object.entries(estimator.params).map(([name, spec]) => [name, overrides[name] ?? spec.default]));
    const moments = await sampleEstimator(backend(), estimator, problem, samples, 3, params, step);
    const logits = Array.from(problem.initialLogits);
    const expected = logits.map((theta, unit) => expectedMean[estimatorId](theta, params, toyLoss(0.45, 2), step, logits, unit));
    expect(unitsOutsideBand(moments, expected, sigmas)).toEqual([]);
  });

  it('detects a biased estimator: ste-identity is far from the exact gradient', async () => {
    const problem = toyProblem({ t: 0.45 });
    const moments = await sampleEstimator(backend(), builtInEstimators.get('ste-identity')!, problem, samples);
    expect(unitsOutsideBand(moments, problem.exactGradient(problem.initialLogits), sigmas).length).toBeGreaterThan(10);
  });

  it('detects a schedule that is not applied: slope-annealed-sigmoid-st at step 50 is far from its step-0 expectation', async () => {
    const estimator = builtInEstimators.get('slope-annealed-sigmoid-st')!;
    const problem = toyProblem({ t: 0.45 });
    const params = { slopeRate: 0.04, maxSlope: 5 };
    const moments = await sampleEstimator(backend(), estimator, problem, samples, 3, params, 50);
    const atStepZero = Array.from(problem.initialLogits, (theta) => expectedMean['slope-annealed-sigmoid-st'](theta, params, toyLoss(0.45, 2), 0, [], 0));
    expect(unitsOutsideBand(moments, atStepZero, sigmas).length).toBeGreaterThan(8);
  });

  it('detects a schedule that is not applied: slope-annealed-st at step 50 (the hard sigmoid) is far from its step-0 expectation', async () => {
    const estimator = builtInEstimators.get('slope-annealed-st')!;
    const problem = toyProblem({ t: 0.45 });
    const params = { slopeRate: 0.04, maxSlope: 5 };
    const moments = await sampleEstimator(backend(), estimator, problem, samples, 3, params, 50);
    const atStepZero = Array.from(problem.initialLogits, (theta) => expectedMean['slope-annealed-st'](theta, params, toyLoss(0.45, 2), 0, [], 0));
    expect(unitsOutsideBand(moments, atStepZero, sigmas).length).toBeGreaterThan(6);
  });
});
