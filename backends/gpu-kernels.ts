import type { CellRequest } from '../core/backend.js';
import { evaluationCount, noiseRowsPerSample, type KernelFunction } from '../core/estimator.js';
import { estimatorKernelCalls, objectiveKernelCalls } from './kernel-calls.js';

/** gpu.js kernel sources of one cell, as strings, with the names of the kernel functions they call. */
export interface GpuKernelSources {
  /** h for every (evaluation row, element): output [dim, batch * evaluations]. */
  readonly forward: string;
  /** L for every evaluation row: output [batch * evaluations]; null when nothing reads it. */
  readonly objective: string | null;
  /** One estimate per (sample, element), summed over evaluations: output [dim, batch]. */
  readonly gradient: string;
  /** Mean over the first `count` samples: output [dim]. */
  readonly mean: string;
  /** Sum of squared deviations from that mean: output [dim]. */
  readonly deviations: string;
  /** Baseline weight w per (sample, element): output [dim, batch]; null without a baseline. */
  readonly pilotWeight: string | null;
  /** Row 0: sum of w L; row 1: sum of w; output [dim, 2]; null without a baseline. */
  readonly pilotSums: string | null;
}

/**
 * Math functions whose result GLSL leaves undefined outside their domain, with the domain test. The
 * shader compiler is free to return anything there: ANGLE folds sqrt(-1.0), log(0.0) or acos(2.0)
 * of a constant to 0, so a kernel that gives NaN or -Inf on the CPU would give a finite, wrong
 * number on the GPU. The checked versions return a non-finite number there, which fails the cell as
 * on the CPU (sampling.ts checks every batch's moments).
 */
const domainCheckedMath: ReadonlyArray<readonly [name: string, outside: string]> = [
  ['sqrt', 'x < 0'],
  ['log', 'x <= 0'],
  ['log2', 'x <= 0'],
  ['acos', 'x < -1 || x > 1'],
  ['asin', 'x < -1 || x > 1'],
];

/** The checked functions' sources, and the non-finite value they return: 0/0 computed from the argument, so no compiler folds it to a finite number. */
const checkedMathSources = [
  'function estibenchNonFinite(x) { return (x - x) / (x - x); }',
  ...domainCheckedMath.map(([name, outside]) =>
    `function estibenchChecked_${name}(x) { if (${outside}) { return estibenchNonFinite(x); } return Math.${name}(x); }`),
];

/**
 * A kernel function's source with its domain-sensitive Math calls replaced by the checked ones, and
 * the literal `NaN` (or `Number.NaN`), which gpu.js cannot translate ("Identifier is not defined"),
 * replaced by a computed NaN: a kernel that returns NaN fails its cell with the CPU's message.
 */
export function withCheckedMath(source: string): string {
  const checked = domainCheckedMath.reduce(
    (text, [name]) => text.replace(new RegExp(`\\bMath\\.${name}\\s*\\(`, 'g'), `estibenchChecked_${name}(`),
    source,
  );
  return checked.replace(/\bNumber\s*\.\s*NaN\b|(?<![.\w$])NaN\b/g, 'estibenchNonFinite(0.0)');
}

/**
 * Kernel functions as gpu.js `functions` sources with checked math, followed by the checked functions
 * themselves: what every gpu.js kernel that calls estimator or objective kernels should compile.
 */
export function withCheckedMathFunctions(functions: readonly KernelFunction[]): string[] {
  return [...functions.map((kernel) => withCheckedMath(kernel.toString())), ...checkedMathSources];
}

/** The kernel functions a cell's gpu.js kernels call: helpers, the estimator's and the objective's kernels, with checked math. */
export function gpuKernelFunctions(request: CellRequest): string[] {
  const { estimator, problem } = request;
  return withCheckedMathFunctions([
    ...(estimator.helpers ?? []), ...(problem.objective.helpers ?? []),
    estimator.kernels.forward, estimator.kernels.gradient, problem.objective.value, problem.objective.gradient,
    ...(estimator.kernels.baselineWeight ? [estimator.kernels.baselineWeight] : []),
  ]);
}

/**
 * Writes the cell's kernels around the estimator's and suite's kernel functions. Arguments of every
 * kernel use the same names as the CPU loops (theta, probabilities, noiseU, noiseV, h, objectives,
 * baseline) so the two backends compute the same expressions.
 */
export function gpuKernelSources(request: CellRequest): GpuKernelSources {
  const { estimator, problem, batchSize } = request;
  const dim = problem.dim;
  const evaluations = evaluationCount(estimator, request.estimatorParams);
  const calls = estimatorKernelCalls(estimator, request.estimatorParams, dim);
  const objectiveCalls = objectiveKernelCalls(problem.objective, dim);
  const hasV = estimator.noise.length > 1;
  const noiseArguments = hasV ? 'noiseU, noiseV' : 'noiseU';
  const noiseRows = noiseRowsPerSample(estimator, request.estimatorParams);
  const elementAt = (evaluation: string) => {
    const column = noiseRows === 1 ? 'i' : `${evaluation} * ${dim} + i`;
    return { theta: 'theta[i]', probability: 'probabilities[i]', u: `noiseU[s][${column}]`, v: hasV ? `noiseV[s][${column}]` : '0', evaluation, unit: 'i', step: 'step' };
  };
  const element = elementAt('e');
  const needsObjective = estimator.needs.objective || estimator.kernels.baselineWeight !== undefined;
  const dLdh = estimator.needs.objectiveGradient ? objectiveCalls.gradient('h', 'row', 'i') : '0';
  const objectiveOfRow = estimator.needs.objective ? 'objectives[row]' : '0';
  const sampleOfRow = evaluations === 1 ? 'const s = row; const e = 0;' : `const s = Math.floor(row / ${evaluations}); const e = row - s * ${evaluations};`;
  const overSamples = (body: string) => `for (let s = 0; s < ${batchSize}; s++) { if (s < count) { ${body} } }`;

  return {
    forward: `function (theta, probabilities, ${noiseArguments}, step) {
      const i = this.thread.x;
      const row = this.thread.y;
      ${sampleOfRow}
      return ${calls.forward(element)};
    }`,
    objective: needsObjective ? `function (h) { return ${objectiveCalls.value('h', 'this.thread.x')}; }` : null,
    gradient: `function (theta, probabilities, ${noiseArguments}, h, ${estimator.needs.objective ? 'objectives, ' : ''}baseline, step) {
      const i = this.thread.x;
      const s = this.thread.y;
      let objectiveSum = 0;
      let objectiveSquareSum = 0;
      ${estimator.needs.objective ? `for (let e = 0; e < ${evaluations}; e++) {
        objectiveSum += objectives[s * ${evaluations} + e];
        objectiveSquareSum += objectives[s * ${evaluations} + e] * objectives[s * ${evaluations} + e];
      }` : ''}
      let g = 0;
      for (let e = 0; e < ${evaluations}; e++) {
        const row = s * ${evaluations} + e;
        g += ${calls.gradient(element, { h: 'h[row][i]', dLdh, objective: objectiveOfRow, objectiveSum: 'objectiveSum', objectiveSquareSum: 'objectiveSquareSum', baseline: 'baseline[i]' })};
      }
      return g;
    }`,
    mean: `function (g, count) {
      let total = 0;
      ${overSamples('total += g[s][this.thread.x];')}
      return total / count;
    }`,
    deviations: `function (g, mean, count) {
      const center = mean[this.thread.x];
      let total = 0;
      ${overSamples('const deviation = g[s][this.thread.x] - center; total += deviation * deviation;')}
      return total;
    }`,
    pilotWeight: estimator.kernels.baselineWeight
      ? `function (theta, probabilities, ${noiseArguments}, h, step) {
      const i = this.thread.x;
      const s = this.thread.y;
      return ${calls.baselineWeight(elementAt('0'), `h[s * ${evaluations}][i]`)};
    }`
      : null,
    pilotSums: estimator.kernels.baselineWeight
      ? `function (w, objectives, count) {
      let total = 0;
      ${overSamples(`if (this.thread.y < 0.5) { total += w[s][this.thread.x] * objectives[s * ${evaluations}]; } else { total += w[s][this.thread.x]; }`)}
      return total;
    }`
      : null,
  };
}
