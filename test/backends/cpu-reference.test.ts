import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComputeBackend } from '../../core/backend.js';
import type { BatchMoments } from '../../core/moments.js';
import { createCpuBackend } from '../../backends/cpu.js';
import { estimateLoopShape } from '../../backends/cpu-loops.js';
import { kernelParameterNames } from '../../core/kernel-source.js';
import { defineEstimator, evaluationCount, noiseRowsPerSample, runsOnHardNodeStages, type EstimatorDefinition, type KernelFunction } from '../../core/estimator.js';
import { builtInEstimators } from '../../estimators/index.js';
import { withDefaults, type ParameterValues } from '../../core/parameters.js';
import { chunkSeeds, noiseChunkSamples, Rng } from '../../core/rng.js';
import type { Problem } from '../../core/suite.js';
import { toyProblem } from '../support/helpers.js';
import { initialStateArray, stateValues } from '../../core/estimator-state.js';

/**
 * The CPU backend's generated loops against a plain interpreter of the kernel interface written here:
 * noise drawn call by call from `Rng` in the documented order, kernels called as ordinary functions
 * with their arguments bound by name, sums kept per noise chunk and added in chunk order. Every number
 * must match bit for bit, on one thread and on two, for every loop shape the generator picks.
 */

const parameterNames = new Map<KernelFunction, string[]>();
function call(fn: KernelFunction, bindings: Record<string, unknown>): number {
  if (!parameterNames.has(fn)) parameterNames.set(fn, kernelParameterNames(fn, 'reference'));
  return fn(...parameterNames.get(fn)!.map((name) => {
    if (!(name in bindings)) throw new Error(`reference: no binding for ${name}`);
    return bindings[name];
  }));
}

function referenceSums(
  kind: 'estimate' | 'pilot', estimator: EstimatorDefinition, params: ParameterValues, problem: Problem,
  logits: Float64Array, baseline: Float64Array, count: number, rng: Rng, step: number,
): [Float64Array, Float64Array] {
  const { dim, objective } = problem;
  const evaluations = evaluationCount(estimator, params);
  const noiseRows = noiseRowsPerSample(estimator, params);
  const probabilities = logits.map((theta) => 1 / (1 + Math.exp(-theta)));
  const first = new Float64Array(dim);
  const second = new Float64Array(dim);
  const draw = (r: Rng, kind: string | undefined) => (kind === 'uniform' ? r.nextUniform() : kind === 'normal' ? r.nextNormal() : 0);
  // A stateful estimator's kernels read its state values by name, here its initial ones (as a cell scores).
  const state = stateValues(estimator, initialStateArray(estimator, params, problem));
  const seeds = chunkSeeds(rng, count);
  for (let chunk = 0; chunk < seeds.length; chunk++) {
    const chunkRng = new Rng(seeds[chunk]);
    const chunkFirst = new Float64Array(dim);
    const chunkSecond = new Float64Array(dim);
    for (let sample = chunk * noiseChunkSamples; sample < Math.min(count, (chunk + 1) * noiseChunkSamples); sample++) {
      const u: number[] = [];
      const v: number[] = [];
      for (let index = 0; index < noiseRows * dim; index++) {
        u.push(draw(chunkRng, estimator.noise[0]));
        v.push(draw(chunkRng, estimator.noise[1]));
      }
      const at = (evaluation: number, unit: number) => {
        const noise = noiseRows > 1 ? evaluation * dim + unit : unit;
        return { ...params, ...state, ...objective.constants, dim, evaluations, theta: logits[unit], p: probabilities[unit], u: u[noise], v: v[noise], evaluation, unit, step };
      };
      const h = Array.from({ length: evaluations }, (_, evaluation) =>
        Array.from({ length: dim }, (_, unit) => call(estimator.kernels.forward, at(evaluation, unit))));
      const objectives = h.map((_, row) => call(objective.value, { ...objective.constants, h, row, dim }));
      const objectiveSum = objectives.reduce((total, value) => total + value, 0);
      const gradientBindings = (evaluation: number, unit: number) => ({
        ...at(evaluation, unit), h: h[evaluation][unit], baseline: baseline[unit],
        dLdh: estimator.needs.objectiveGradient ? call(objective.gradient, { ...objective.constants, h, row: evaluation, element: unit, dim }) : 0,
        objective: estimator.needs.objective ? objectives[evaluation] : 0, objectiveSum: estimator.needs.objective ? objectiveSum : 0,
        objectives, objectivesStart: 0,
      });
      // The row term summed over the sample's elements, then evaluations, before any gradient.
      let rowTermSum = 0;
      const { rowTerm } = estimator.kernels;
      if (rowTerm && kind === 'estimate') {
        for (let unit = 0; unit < dim; unit++) {
          for (let evaluation = 0; evaluation < evaluations; evaluation++) rowTermSum += call(rowTerm, gradientBindings(evaluation, unit));
        }
      }
      for (let unit = 0; unit < dim; unit++) {
        if (kind === 'pilot') {
          const weight = call(estimator.kernels.baselineWeight!, { ...at(0, unit), h: h[0][unit] });
          chunkFirst[unit] += weight * objectives[0];
          chunkSecond[unit] += weight;
          continue;
        }
        let estimate = 0;
        for (let evaluation = 0; evaluation < evaluations; evaluation++) {
          estimate += call(estimator.kernels.gradient, { ...gradientBindings(evaluation, unit), rowTermSum });
        }
        chunkFirst[unit] += estimate;
        chunkSecond[unit] += estimate * estimate;
      }
    }
    for (let unit = 0; unit < dim; unit++) {
      first[unit] += chunkFirst[unit];
      second[unit] += chunkSecond[unit];
    }
  }
  return [first, second];
}

function referenceMoments([sum, sumOfSquares]: [Float64Array, Float64Array], count: number): BatchMoments {
  const mean = sum.map((total) => total / count);
  return { count, mean, sumOfSquaredDeviations: sumOfSquares.map((squares, unit) => Math.max(0, squares - sum[unit] * mean[unit])) };
}

/** Plug-ins that reach every shape and branch of the generator: several evaluations, per-evaluation noise, two draws, normals, a baseline, the unit and step. */
const pluginEstimators = [
  defineEstimator({
    id: 'antithetic-pair', title: 'ARM-like pair', citation: '-', family: 'score-function', nodeKinds: ['bernoulli'], claimsUnbiased: true,
    params: {}, noise: ['uniform'], evaluations: 2, needs: { objective: true, objectiveGradient: false },
    kernels: {
      forward: function pairForward(p: number, u: number, evaluation: number): number { return evaluation < 0.5 ? (u > 1 - p ? 1 : 0) : (u < p ? 1 : 0); },
      gradient: function pairGradient(u: number, objective: number, evaluation: number): number { return (evaluation < 0.5 ? 1 : -1) * objective * (u - 0.5); },
    },
  }),
  defineEstimator({
    id: 'leave-one-out', title: 'LOO with dL/dh', citation: '-', family: 'score-function', nodeKinds: ['bernoulli'], claimsUnbiased: false,
    params: { k: { description: 'samples', default: 3, minimum: 2, integer: true } }, noise: ['uniform'],
    evaluations: (params) => Number(params.k), noisePerEvaluation: true, needs: { objective: true, objectiveGradient: true },
    kernels: {
      forward: function looForward(p: number, u: number): number { return u < p ? 1 : 0; },
      gradient: function looGradient(h: number, p: number, objective: number, objectiveSum: number, k: number, dLdh: number): number {
        return ((objective - (objectiveSum - objective) / (k - 1)) * (h - p)) / k + 0.001 * dLdh;
      },
    },
  }),
  defineEstimator({
    id: 'two-draws', title: 'uniform and normal', citation: '-', family: 'score-function', nodeKinds: ['bernoulli'], claimsUnbiased: false,
    params: { a: { description: 'noise scale', default: 0.7 } }, noise: ['uniform', 'normal'], evaluations: 1,
    needs: { objective: true, objectiveGradient: true }, baselinePilotSamples: 700,
    kernels: {
      forward: function twoForward(theta: number, u: number, v: number, a: number, unit: number, step: number): number {
        return u < 1 / (1 + Math.exp(-theta - a * v)) ? 1 + 0.001 * unit + 0.01 * step : 0;
      },
      gradient: function twoGradient(h: number, dLdh: number, objective: number, u: number, v: number, step: number, baseline: number): number {
        return dLdh * v + (objective - baseline) * (u - 0.5) + step;
      },
      baselineWeight: function twoWeight(h: number, p: number, v: number): number { return (h - p) * (h - p) + v * 0.01; },
    },
  }),
  defineEstimator({
    // Reads other evaluations' objective values by index and a row term over every element (a single evaluation: objectives[0]).
    id: 'row-term', title: 'row term and objectives array', citation: '-', family: 'score-function', nodeKinds: ['bernoulli'], claimsUnbiased: false,
    params: { k: { description: 'evaluations', default: 3, minimum: 1, integer: true } }, noise: ['uniform'],
    evaluations: (params) => Number(params.k), needs: { objective: true, objectiveGradient: true },
    kernels: {
      forward: function rowTermForward(p: number, u: number, evaluation: number): number { return evaluation < 0.5 ? (u < p ? 1 : 0) : p * (evaluation + 1) / 2; },
      rowTerm: function rowTermTerm(dLdh: number, h: number, u: number, unit: number, evaluation: number, objectives: number[], objectivesStart: number): number {
        return dLdh * (h - u) * (unit + 1) + evaluation * objectives[objectivesStart];
      },
      gradient: function rowTermGradient(h: number, p: number, objectives: number[], objectivesStart: number, evaluations: number, rowTermSum: number): number {
        return (objectives[objectivesStart + evaluations - 1] - rowTermSum) * (h - p);
      },
    },
  }),
  defineEstimator({
    id: 'normal-pair', title: 'two relaxed evaluations', citation: '-', family: 'relaxation', nodeKinds: ['bernoulli'], claimsUnbiased: false,
    params: {}, noise: ['normal'], evaluations: 2, needs: { objective: false, objectiveGradient: true },
    kernels: {
      forward: function normalPairForward(theta: number, u: number, evaluation: number): number { return theta + u * (evaluation + 1); },
      gradient: function normalPairGradient(dLdh: number, u: number): number { return dLdh * u; },
    },
  }),
];

/** The toy with an objective that couples the units (not separable): dL/dh of one unit reads them all. */
function coupledProblem(dim: number): Problem {
  return {
    ...toyProblem({ dim }),
    objective: {
      value: function coupledValue(h: number[][], row: number, dim: number, c: number): number {
        let total = 0;
        for (let element = 0; element < dim; element++) total += h[row][element] * (element + 1);
        return (total - c) * (total - c);
      },
      gradient: function coupledGradient(h: number[][], row: number, element: number, dim: number, c: number): number {
        let total = 0;
        for (let unit = 0; unit < dim; unit++) total += h[row][unit] * (unit + 1);
        return 2 * (total - c) * (element + 1);
      },
      constants: { c: 1.5 },
    },
  };
}

describe('CPU backend against a reference interpreter of the kernel interface', () => {
  const backends: Record<string, ComputeBackend> = {};
  beforeAll(async () => {
    backends['1 thread'] = await createCpuBackend({ threads: 1 });
    // Threads from the first element: these small calls would otherwise run on the calling thread alone.
    backends['2 threads'] = await createCpuBackend({ threads: 2, threadsFromElements: 1 });
  });
  afterAll(() => Object.values(backends).forEach((backend) => backend.dispose()));

  // Estimators with host terms never run as fused loops (cells run them on the hard-node stages, whose
  // agreement across backends their own tests check): the interpreter covers the fused loops' interface.
  const estimators = [...builtInEstimators.values(), ...pluginEstimators].filter((estimator) => !runsOnHardNodeStages(estimator));
  const problems: Array<[string, Problem]> = [['toy, 3 units', toyProblem({ dim: 3 })], ['toy, 24 units', toyProblem({ dim: 24 })], ['coupled, 5 units', coupledProblem(5)]];
  // reinforce-loo at k = 6 too: beyond 4 evaluations the loops keep a loop over them rather than spell each out.
  // row-term at k = 1 (objectives[0] kept beside the single objective value) and k = 6 too.
  const choices = (estimator: EstimatorDefinition): Array<Record<string, number>> =>
    (estimator.id === 'reinforce-loo' ? [{}, { k: 6 }] : estimator.id === 'row-term' ? [{}, { k: 1 }, { k: 6 }] : [{}]);
  const cases = estimators.flatMap((estimator) => choices(estimator).flatMap((chosen) =>
    problems.map(([label, problem]) => ({ id: estimator.id, chosen, estimator, label, problem }))));

  it.each(cases)('$id $chosen on $label: identical numbers, every thread count', async ({ estimator, chosen, problem }) => {
    const params = withDefaults(estimator.params, chosen);
    // Two noise chunks, the second one partial; at 24 units that is enough work for two threads to split.
    const count = 1500;
    const logits = problem.initialLogits.map((theta, unit) => theta + 0.1 * Math.sin(unit));
    const baseline = logits.map((theta) => 0.3 * theta);
    const expected = referenceMoments(referenceSums('estimate', estimator, params, problem, logits, baseline, count, new Rng(99), 3), count);
    const expectedPilot = estimator.kernels.baselineWeight
      ? referenceSums('pilot', estimator, params, problem, logits, baseline, count, new Rng(98), 3) : null;
    for (const backend of Object.values(backends)) {
      const cell = backend.prepare({ estimator, estimatorParams: params, problem, batchSize: count });
      try {
        const moments = await cell.estimateMoments(logits, baseline, count, new Rng(99), 3);
        expect(Array.from(moments.mean)).toEqual(Array.from(expected.mean));
        expect(Array.from(moments.sumOfSquaredDeviations)).toEqual(Array.from(expected.sumOfSquaredDeviations));
        if (expectedPilot) {
          const sums = await cell.baselineSums(logits, count, new Rng(98), 3);
          expect(Array.from(sums.weightedObjective)).toEqual(Array.from(expectedPilot[0]));
          expect(Array.from(sums.weight)).toEqual(Array.from(expectedPilot[1]));
        }
      } finally {
        cell.dispose();
      }
    }
  });

  it('runs in one pass where the objective is separable and the estimator needs no objective value, pipelined rows where it needs one on one evaluation', () => {
    const shape = (estimator: EstimatorDefinition, problem: Problem) =>
      estimateLoopShape({ estimator, estimatorParams: withDefaults(estimator.params, {}), problem, batchSize: 1 });
    const toy = toyProblem({ dim: 4 });
    expect(shape(builtInEstimators.get('ste-sigmoid')!, toy)).toBe('one-pass');
    expect(shape(builtInEstimators.get('gumbel-softmax')!, toy)).toBe('one-pass');
    expect(shape(builtInEstimators.get('bengio-unbiased')!, toy)).toBe('pipelined-rows');
    expect(shape(pluginEstimators[2], toy)).toBe('pipelined-rows');
    expect(shape(builtInEstimators.get('ste-sigmoid')!, coupledProblem(4))).toBe('row-passes');
    expect(shape(pluginEstimators[2], coupledProblem(4))).toBe('row-passes');
    expect(shape(pluginEstimators[0], toy)).toBe('row-passes');
    expect(shape(pluginEstimators[1], toy)).toBe('row-passes');
    expect(shape(pluginEstimators[4], toy)).toBe('one-pass');
    // A row term needs every element's h and dL/dh before the first gradient, even with one evaluation.
    expect(estimateLoopShape({ estimator: pluginEstimators[3], estimatorParams: withDefaults(pluginEstimators[3].params, { k: 1 }), problem: toy, batchSize: 1 })).toBe('row-passes');
  });
});
