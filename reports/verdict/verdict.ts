/**
 * The answer for one suite setting and node kind: the Pareto sets over (MSE, cost), the rankings at
 * equal cost and after training, every one of them respecting noise. Rendering is elsewhere
 * (`render.ts`, `reading.ts`); this file only decides.
 */
import { trainingResult, type BenchResults } from '../../core/types.js';
import { formatNumber } from '../format.js';
import { sortedItems, type RankedItem, type Ranking } from '../ranking.js';
import { trainingMetricInfo } from '../training-metrics.js';
import type { SuiteVariant } from '../cells.js';
import { verdictEntries, type VerdictEntry } from './entries.js';
import {
  evaluationBudget, evaluationsOf, microsecondsOn, mseAtEvaluations, mseAtTime, timeBudget, varianceTimesEvaluations, varianceTimesTime,
} from './equal-cost.js';
import type { Measured } from './noise.js';
import { paretoSet, type ParetoResult, type TradeOffPoint } from './pareto.js';

/** A Pareto set with the points it was computed from. */
export interface ParetoView extends ParetoResult {
  readonly cost: 'evaluations' | 'time';
  /** For time: the backend (`cpu`) and what ran (`cpu:fused-js`). */
  readonly backend?: string;
  readonly mode?: string;
  readonly points: readonly TradeOffPoint[];
}

/** The verdict of one suite setting. */
export interface SuiteVerdict {
  readonly variant: SuiteVariant;
  readonly entries: readonly VerdictEntry[];
  /** Single-sample estimates per cell. */
  readonly samples: number;
  /** Training steps of the run (0: no training). */
  readonly steps: number;
  /** The evaluation budget of `mseAtEvaluations`, when the cells record evaluations. */
  readonly evaluationBudget?: number;
  /** The time budget per backend (µs) of `mseAtTime`. */
  readonly timeBudgets: ReadonlyMap<string, number>;
  /** MSE against evaluations (when the cells record them), then against time per backend. */
  readonly pareto: readonly ParetoView[];
  readonly rankings: readonly Ranking[];
}

/** Whether an entry is unbiased for the comparison by variance: it claims it, and its bias is within noise. */
export function isUnbiased(entry: VerdictEntry): boolean {
  return entry.traits?.claimsUnbiased === true && entry.biasTest?.withinNoise === true;
}

/**
 * Why an entry's training result may owe to its bias: its bias is beyond noise, or (no reference gradient
 * to test against) it does not claim to be unbiased. Undefined when neither holds.
 */
export function biasFlag(entry: VerdictEntry): string | undefined {
  if (entry.biasTest) return entry.biasTest.withinNoise ? undefined : `biased, relative bias ${formatNumber(entry.relativeBias)}`;
  return entry.traits && !entry.traits.claimsUnbiased ? 'biased by construction' : undefined;
}

/** The ranking note of a biased entry. */
const biasedNote = (entry: VerdictEntry) => (biasFlag(entry) ? 'biased' : undefined);

/** A remark for a training ranking whose best entry is biased (and one on untested orders). */
function trainingRemark(ranked: readonly RankedItem[], entries: readonly VerdictEntry[], better: 'lower' | 'higher', oneSeed: string | undefined): string | undefined {
  const best = sortedItems({ better, items: ranked })[0];
  const flag = best && biasFlag(entries.find((entry) => entry.label === best.label)!);
  const remarks = [flag ? `the best, ${best.label}, is ${flag}` : undefined, oneSeed].filter(Boolean);
  return remarks.length > 0 ? remarks.join('; ') : undefined;
}

function items(entries: readonly VerdictEntry[], value: (entry: VerdictEntry) => Measured | undefined, note?: (entry: VerdictEntry) => string | undefined): RankedItem[] {
  return entries.flatMap((entry) => {
    const measured = value(entry);
    const text = note?.(entry);
    return measured ? [{ label: entry.label, value: measured, ...(text ? { note: text } : {}) }] : [];
  });
}

/** Backends (id and what ran) that timed at least one entry. */
function timedBackends(entries: readonly VerdictEntry[]): Array<{ backend: string; mode: string }> {
  const seen = new Map<string, string>();
  for (const entry of entries) for (const cost of entry.costs) if (cost.nsPerEstimate && !seen.has(cost.backend)) seen.set(cost.backend, cost.mode);
  return [...seen].map(([backend, mode]) => ({ backend, mode }));
}

function paretoViews(entries: readonly VerdictEntry[]): ParetoView[] {
  const views: ParetoView[] = [];
  const byEvaluations = entries.flatMap((entry): TradeOffPoint[] => {
    const evaluations = evaluationsOf(entry);
    return entry.mse && evaluations !== undefined ? [{ label: entry.label, mse: entry.mse, cost: { value: evaluations, stdErr: 0 } }] : [];
  });
  // With one cost for all, the set is the estimators tied for the lowest MSE: still the answer at that cost.
  if (byEvaluations.length > 0) views.push({ cost: 'evaluations', points: byEvaluations, ...paretoSet(byEvaluations) });
  for (const { backend, mode } of timedBackends(entries)) {
    const points = entries.flatMap((entry): TradeOffPoint[] => {
      const time = microsecondsOn(entry, backend);
      return entry.mse && time ? [{ label: entry.label, mse: entry.mse, cost: time }] : [];
    });
    if (points.length > 0) views.push({ cost: 'time', backend, mode, points, ...paretoSet(points) });
  }
  return views;
}

function rankingsOf(results: BenchResults, entries: readonly VerdictEntry[], budget: number | undefined, timeBudgets: ReadonlyMap<string, number>): Ranking[] {
  const backends = timedBackends(entries);
  const several = backends.length > 1;
  const on = (mode: string) => (several ? ` on ${mode}` : '');
  const unbiased = entries.filter(isUnbiased);
  const steps = trainedSteps(results, entries);
  const evaluationsVary = new Set(entries.flatMap((entry) => (entry.mse ? [evaluationsOf(entry)] : []))).size > 1;
  const rankings: Ranking[] = [
    { title: 'lowest MSE per estimate', better: 'lower', items: items(entries, (entry) => entry.mse, biasedNote) },
  ];
  if (budget !== undefined && evaluationsVary) {
    rankings.push({
      title: `lowest MSE at equal evaluations (${budget} per estimator: Var·k/${budget} + bias²)`, better: 'lower',
      items: items(entries, (entry) => mseAtEvaluations(entry, budget), biasedNote),
    });
  }
  for (const { backend, mode } of backends) {
    const timeBudget = timeBudgets.get(backend);
    if (timeBudget === undefined) continue;
    rankings.push({
      title: `lowest MSE at equal time${on(mode)} (${formatNumber(timeBudget)} µs per estimator: Var·t/${formatNumber(timeBudget)} µs + bias²)`, better: 'lower',
      items: items(entries, (entry) => mseAtTime(entry, backend, timeBudget), biasedNote),
    });
  }
  if (unbiased.length > 0) {
    rankings.push({
      title: 'unbiased estimators, lowest variance at equal evaluations (variance × evaluations)', better: 'lower',
      items: items(unbiased, varianceTimesEvaluations, (entry) => `${evaluationsOf(entry)} eval.`),
    });
    for (const { backend, mode } of backends) {
      rankings.push({ title: `unbiased estimators, lowest variance at equal time${on(mode)} (variance × µs per estimate)`, better: 'lower', items: items(unbiased, (entry) => varianceTimesTime(entry, backend)) });
    }
  }
  for (const { backend, mode } of backends) {
    rankings.push({
      title: `fastest${on(mode)} (time per estimate)`, better: 'lower', unit: ' µs',
      items: items(entries, (entry) => microsecondsOn(entry, backend)), remark: 'noise: standard error of the median batch time, from the batches\' median absolute deviation; on a shared machine, load can move times further',
    });
  }
  const oneSeed = entries.some((entry) => entry.trainingSeeds === 1) ? 'one training seed: no standard error, the order is not tested' : undefined;
  const lossItems = items(entries, (entry) => entry.finalLoss, biasedNote);
  const lossRemark = trainingRemark(lossItems, entries, 'lower', oneSeed);
  rankings.push({ title: `lowest final loss after ${steps} steps`, better: 'lower', items: lossItems, ...(lossRemark ? { remark: lossRemark } : {}) });
  const metricNames = [...new Set(entries.flatMap((entry) => Object.keys(entry.trainingMetrics)))];
  for (const name of metricNames) {
    const info = trainingMetricInfo(name);
    if (!info.better) continue;
    const metricItems = items(entries, (entry) => entry.trainingMetrics[name], biasedNote);
    const remark = trainingRemark(metricItems, entries, info.better, oneSeed);
    rankings.push({
      title: `${info.better === 'lower' ? 'lowest' : 'highest'} ${info.label} after ${steps} steps`, better: info.better,
      scale: info.scale, unit: info.unit, items: metricItems, ...(remark ? { remark } : {}),
    });
  }
  return rankings.filter((ranking) => ranking.items.length > 0);
}

/**
 * Training steps behind the entries' final scores: the last step of their loss curves (a merged or
 * crafted file may hold cells of several runs), else the run's setting.
 */
function trainedSteps(results: BenchResults, entries: readonly VerdictEntry[]): number {
  const last = entries.flatMap((entry) => entry.cells.flatMap((cell) => {
    const steps = trainingResult(cell.metrics)?.lossCurve?.step;
    return steps && steps.length > 0 ? [steps[steps.length - 1]] : [];
  }));
  return last.length > 0 ? Math.max(...last) : results.config.training.steps;
}

/** The verdict of one suite setting (one node kind). */
export function suiteVerdict(results: BenchResults, variant: SuiteVariant): SuiteVerdict {
  const entries = verdictEntries(results, variant);
  const budget = evaluationBudget(entries);
  const timeBudgets = new Map(timedBackends(entries).flatMap(({ backend }) => {
    const budgetOnBackend = timeBudget(entries, backend);
    return budgetOnBackend === undefined ? [] : [[backend, budgetOnBackend] as const];
  }));
  return {
    variant,
    entries,
    samples: results.config.samples,
    steps: trainedSteps(results, entries),
    ...(budget !== undefined ? { evaluationBudget: budget } : {}),
    timeBudgets,
    pareto: paretoViews(entries),
    rankings: rankingsOf(results, entries, budget, timeBudgets),
  };
}
