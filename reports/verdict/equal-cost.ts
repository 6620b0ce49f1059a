/**
 * Scores at equal cost. A k-evaluation estimator averaged over a budget of B objective evaluations
 * makes B/k estimates, so its variance at that budget is Var·k/B and its MSE Var·k/B + bias² (the bias
 * does not average away). Variance × evaluations (or × time per estimate) orders estimators at any equal
 * budget; the MSE needs a budget, taken as the smallest one every estimator of the setting can spend
 * whole (the least common multiple of their evaluations; for time, the slowest estimator's time).
 */
import { productMeasured, sumMeasured, type Measured } from './noise.js';
import type { VerdictEntry } from './entries.js';

/** Objective evaluations per estimate, or undefined where the cells did not record them. */
export function evaluationsOf(entry: VerdictEntry): number | undefined {
  return entry.traits?.evaluations;
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

/** Beyond this the least common multiple is no budget anyone would read; the largest count is used instead. */
const largestBudget = 1000;

/**
 * The evaluation budget of the MSE at equal evaluations: the least common multiple of the entries'
 * counts; undefined when the cells did not record them, or all take the same number (nothing to equalise).
 */
export function evaluationBudget(entries: readonly VerdictEntry[]): number | undefined {
  const counts = entries.flatMap((entry) => {
    const count = evaluationsOf(entry);
    return count !== undefined && entry.mse ? [count] : [];
  });
  if (new Set(counts).size < 2) return undefined;
  const multiple = counts.reduce((total, count) => (Number.isInteger(count) && count > 0 ? (total * count) / greatestCommonDivisor(total, count) : total), 1);
  return multiple <= largestBudget ? multiple : Math.max(...counts);
}

/** bias² with the first-order standard error 2·bias·SE(bias). */
function squaredBias(entry: VerdictEntry): Measured | undefined {
  const bias = entry.bias;
  if (!bias) return undefined;
  return bias.stdErr === undefined ? { value: bias.value ** 2 } : { value: bias.value ** 2, stdErr: 2 * bias.value * bias.stdErr };
}

/** Variance × evaluations per estimate: the variance of an average over a fixed number of evaluations, up to that number. */
export function varianceTimesEvaluations(entry: VerdictEntry): Measured | undefined {
  const evaluations = evaluationsOf(entry);
  return entry.variance && evaluations !== undefined ? productMeasured(entry.variance, { value: evaluations, stdErr: 0 }) : undefined;
}

/** Time per estimate on a backend, in microseconds, with its noise (median absolute deviation). */
export function microsecondsOn(entry: VerdictEntry, backend: string): Measured | undefined {
  const ns = entry.costs.find((cost) => cost.backend === backend)?.nsPerEstimate;
  return ns && { value: ns.value / 1000, ...(ns.stdErr !== undefined ? { stdErr: ns.stdErr / 1000 } : {}) };
}

/** Variance × µs per estimate on a backend: the variance of an average over a fixed time, up to that time. */
export function varianceTimesTime(entry: VerdictEntry, backend: string): Measured | undefined {
  const time = microsecondsOn(entry, backend);
  return entry.variance && time ? productMeasured(entry.variance, time) : undefined;
}

/** MSE of an average over `budget` objective evaluations: Var·k/budget + bias². */
export function mseAtEvaluations(entry: VerdictEntry, budget: number): Measured | undefined {
  const evaluations = evaluationsOf(entry);
  const bias = squaredBias(entry);
  if (!entry.variance || evaluations === undefined || !bias) return undefined;
  return sumMeasured(productMeasured(entry.variance, { value: evaluations / budget, stdErr: 0 }), bias);
}

/** The time budget on a backend: the slowest entry's µs per estimate (every estimator makes at least one estimate in it). */
export function timeBudget(entries: readonly VerdictEntry[], backend: string): number | undefined {
  const times = entries.flatMap((entry) => {
    const time = microsecondsOn(entry, backend);
    return time && entry.mse ? [time.value] : [];
  });
  return times.length > 0 ? Math.max(...times) : undefined;
}

/** MSE of an average over `budget` µs on a backend: Var·t/budget + bias². */
export function mseAtTime(entry: VerdictEntry, backend: string, budget: number): Measured | undefined {
  const time = microsecondsOn(entry, backend);
  const bias = squaredBias(entry);
  if (!entry.variance || !time || !bias) return undefined;
  return sumMeasured(productMeasured(entry.variance, { value: time.value / budget, stdErr: time.stdErr === undefined ? undefined : time.stdErr / budget }), bias);
}
