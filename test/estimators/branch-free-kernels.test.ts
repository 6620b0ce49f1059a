import { describe, expect, it } from 'vitest';
import { additiveNoise } from '../../estimators/additive-noise.js';
import { arm } from '../../estimators/arm.js';
import { disarm } from '../../estimators/disarm.js';
import { hardBernoulliSample } from '../../estimators/hard-bernoulli-sample.js';
import { hardSigmoidSt } from '../../estimators/hard-sigmoid-st.js';
import { slopeAnnealedSigmoidSt } from '../../estimators/slope-annealed-sigmoid-st.js';
import { slopeAnnealedSt } from '../../estimators/slope-annealed-st.js';
import { stochasticTimesSmooth } from '../../estimators/stochastic-times-smooth.js';
import { Rng } from '../../core/rng.js';

/**
 * The branch-free kernels (written so that V8 compiles them without data-dependent branches) against
 * the plain formulas they replace, written here: equal values on random inputs and on every boundary
 * and its neighbouring floats, so that the rewrite changed no number the backends produce.
 */

const view = new DataView(new ArrayBuffer(8));
/** The next float64 above (direction 1) or below (−1) x. */
function nextFloat(x: number, direction: 1 | -1): number {
  if (x === 0) return direction * Number.MIN_VALUE;
  view.setFloat64(0, x);
  view.setBigInt64(0, view.getBigInt64(0) + BigInt((x > 0 ? 1 : -1) * direction));
  return view.getFloat64(0);
}
const withNeighbours = (values: number[]) => values.flatMap((x) => [nextFloat(nextFloat(x, -1), -1), nextFloat(x, -1), x, nextFloat(x, 1), nextFloat(nextFloat(x, 1), 1)]);

describe('branch-free kernels give the numbers of the formulas they replace', () => {
  it('hard Bernoulli sample: ceil(p − u) + 0 is u < p ? 1 : 0, also at u = p and next to it', () => {
    const rng = new Rng(1);
    const pairs: Array<[number, number]> = [];
    for (let index = 0; index < 200_000; index++) pairs.push([rng.nextUniform(), rng.nextUniform()]);
    for (const p of withNeighbours([0.5, 0.25, 0.999, 1e-9, 1e-300])) for (const u of withNeighbours([p])) if (u > 0 && u < 1) pairs.push([p, u]);
    for (const p of [0, 1, Number.MIN_VALUE, nextFloat(1, -1)]) for (let index = 0; index < 100; index++) pairs.push([p, rng.nextUniform()]);
    const mismatches = pairs.filter(([p, u]) => !Object.is(hardBernoulliSample(0, p, u), u < p ? 1 : 0));
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('stochastic-times-smooth: h = b √p and its gradient b dL/dh ½ √p (1 − p), on random draws and at u = √p and next to it', () => {
    const { forward, gradient } = stochasticTimesSmooth.kernels;
    const rng = new Rng(4);
    const cases: Array<[number, number, number]> = [];
    for (let index = 0; index < 100_000; index++) cases.push([rng.nextUniform(), rng.nextUniform(), (rng.nextUniform() - 0.5) * 6]);
    for (const p of [0.25, 0.5, 0.81, 0.999, 1e-6]) for (const u of withNeighbours([Math.sqrt(p)])) for (const dLdh of [1.3, -0.7, 0]) cases.push([p, u, dLdh]);
    const forwardMismatches = cases.filter(([p, u]) => !Object.is(forward(p, u), u < Math.sqrt(p) ? Math.sqrt(p) : 0));
    // The gradient's 0 may come out as −0: equal as numbers, and it adds up the same.
    const gradientMismatches = cases.filter(([p, u, dLdh]) => gradient(p, u, dLdh) !== (u < Math.sqrt(p) ? dLdh * 0.5 * Math.sqrt(p) * (1 - p) : 0));
    expect(forwardMismatches.slice(0, 5)).toEqual([]);
    expect(gradientMismatches.slice(0, 5)).toEqual([]);
    expect(cases.length).toBeGreaterThan(100_000);
  });

  it('ARM, DisARM, hard-sigmoid-st and the slope-annealed estimators: their samples and DisARM\'s sign, on random draws and at every threshold', () => {
    const rng = new Rng(3);
    const pairs: Array<[number, number]> = [];
    for (let index = 0; index < 100_000; index++) pairs.push([rng.nextUniform(), rng.nextUniform()]);
    // u at p, 1 − p, min(p, 1 − p) and 1 − min(p, 1 − p), and next to them.
    for (const p of withNeighbours([0.5, 0.25, 0.75, 0.999, 1e-9])) {
      const smaller = Math.min(p, 1 - p);
      for (const u of withNeighbours([p, 1 - p, smaller, 1 - smaller])) if (u > 0 && u < 1) pairs.push([p, u]);
    }
    const mismatches: string[] = [];
    const check = (what: string, got: number, expected: number) => {
      if (!Object.is(got, expected)) mismatches.push(`${what}: ${got} instead of ${expected}`);
    };
    for (const [p, u] of pairs) {
      check(`arm b1 p=${p} u=${u}`, arm.kernels.forward(p, u, 0), u > 1 - p ? 1 : 0);
      check(`arm b2 p=${p} u=${u}`, arm.kernels.forward(p, u, 1), u < p ? 1 : 0);
      check(`disarm b p=${p} u=${u}`, disarm.kernels.forward(p, u, 0), u < p ? 1 : 0);
      check(`disarm b' p=${p} u=${u}`, disarm.kernels.forward(p, u, 1), u > 1 - p ? 1 : 0);
      const smaller = Math.min(p, 1 - p);
      const direction = u < smaller ? 1 : u > 1 - smaller ? -1 : 0;
      // f(b) = 2, f(b') = 1: objectiveSum − 2 objective = 1.
      check(`disarm g p=${p} u=${u}`, disarm.kernels.gradient(p, u, 1, 3, 1), 0.5 * 1 * (1 - smaller) * direction);
      // theta = 2p − 1 puts the hard sigmoid's probability at p (and at 0 or 1 beyond [−1, 1]).
      for (const theta of [2 * p - 1, -1.5, 1.5]) {
        const probability = Math.min(Math.max((theta + 1) * 0.5, 0), 1);
        check(`hard-sigmoid-st theta=${theta} u=${u}`, hardSigmoidSt.kernels.forward(theta, u), u < probability ? 1 : 0);
      }
      // At step 0 the slope is 1 (the hard sigmoid's probability is p at theta = 2p − 1); at step 50 it is 3.
      for (const [step, slope] of [[0, 1], [50, 3]]) {
        const theta = (2 * p - 1) / slope;
        const probability = Math.min(Math.max((slope * theta + 1) * 0.5, 0), 1);
        check(`slope-annealed-st step ${step} p=${p} u=${u}`, slopeAnnealedSt.kernels.forward(theta, u, step, 0.04, 5), u < probability ? 1 : 0);
      }
      // The logistic variant: at step 0 the probability is p; at step 50 it is a sigmoid of slope 3.
      check(`slope-annealed-sigmoid-st step 0 p=${p} u=${u}`, slopeAnnealedSigmoidSt.kernels.forward(0.3, p, u, 0, 0.04, 5), u < p ? 1 : 0);
      check(`slope-annealed-sigmoid-st step 50 u=${u}`, slopeAnnealedSigmoidSt.kernels.forward(p - 0.5, p, u, 50, 0.04, 5), u < 1 / (1 + Math.exp(-3 * (p - 0.5))) ? 1 : 0);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(pairs.length).toBeGreaterThan(100_000);
  });

  it('additive noise: the clamp and its slope, on random draws and at x = ±1, y = 0 and y = 1 with their neighbours', () => {
    const { forward, gradient } = additiveNoise.kernels;
    const clamp = (theta: number, u: number, sigma: number) => Math.min(Math.max((theta + sigma * u + 1) * 0.5, 0), 1);
    const slope = (theta: number, u: number, dLdh: number, sigma: number) => {
      const x = theta + sigma * u;
      return x > -1 && x < 1 ? dLdh * 0.5 : 0;
    };
    const rng = new Rng(2);
    const cases: Array<[number, number, number, number]> = [];
    for (let index = 0; index < 200_000; index++) {
      cases.push([(rng.nextUniform() - 0.5) * 60, rng.nextNormal(), [0, 0.5, 1, 3][index & 3], (rng.nextUniform() - 0.5) * 10]);
    }
    // theta = 0, sigma = 1: x = u, so u runs over the slope's edges, the clamp's edges and their neighbours.
    for (const u of withNeighbours([-1, 1, -3, 3, 0, -0.5])) for (const dLdh of [1.7, -0.3, 0]) cases.push([0, u, 1, dLdh]);
    for (const theta of withNeighbours([-1, 1, 1e15, -1e15])) cases.push([theta, 0, 1, 2]);
    const forwardMismatches = cases.filter(([theta, u, sigma]) => !Object.is(forward(theta, 0, u, 0, 0, sigma), clamp(theta, u, sigma)));
    // The slope's 0 may come out as −0: equal as numbers, and it adds up the same.
    const gradientMismatches = cases.filter(([theta, u, sigma, dLdh]) => gradient(theta, 0, u, 0, 0, dLdh, 0, 0, 0, 0, sigma) !== slope(theta, u, dLdh, sigma));
    expect(forwardMismatches.slice(0, 5)).toEqual([]);
    expect(gradientMismatches.slice(0, 5)).toEqual([]);
    expect(cases.length).toBeGreaterThan(200_000);
  });
});
