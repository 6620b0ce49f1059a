/** Comparison of a run against a baseline run: which scores moved beyond their noise, and which of those are regressions. */
import type { BenchConfig, BenchResults, CellMetrics } from '../harness/types.js';
import { completedCells, type CompletedCell } from './cells.js';
import { formatNumber, formatTable } from './format.js';
import { mseStdErr, varianceStdErr } from './uncertainty.js';

/** How strict the comparison is. */
export interface CompareOptions {
  /** A statistical score changed when |new - old| > k * sqrt(se_new^2 + se_old^2). */
  readonly noiseK: number;
  /** Timing changed when new / old > 1 + tolerance (slower) or < 1 / (1 + tolerance) (faster). */
  readonly timingTolerance: number;
}

/** Defaults: k = 4 keeps false alarms rare even with the approximate standard errors; timing ±50% absorbs shared-runner noise. */
export const compareDefaults: CompareOptions = Object.freeze({ noiseK: 4, timingTolerance: 0.5 });

/** Scores compared; every one of them is better when lower. */
export type ComparedScore = 'bias' | 'variance' | 'mse' | 'finalLoss' | 'nsPerEstimate';

/** One score of one cell that moved beyond its noise (or beyond the timing tolerance). */
export interface ScoreChange {
  readonly suite: string;
  readonly estimator: string;
  readonly backend: string;
  readonly score: ComparedScore;
  readonly baseline: number;
  readonly current: number;
  /** The smallest change that would have counted: k * combined SE, or the tolerance for timing. */
  readonly threshold: number;
  readonly verdict: 'regression' | 'improvement';
}

export interface Comparison {
  readonly options: CompareOptions;
  readonly comparedCells: number;
  readonly changes: readonly ScoreChange[];
  readonly regressions: readonly ScoreChange[];
  /** Cells completed in one run only, as `suite / estimator / backend`. */
  readonly onlyInCurrent: readonly string[];
  readonly onlyInBaseline: readonly string[];
  /** Set when the two runs timed on different machines, so timing changes mean little. */
  readonly timingNote?: string;
}

/** Relative floor below which two values are the same number (float noise when a run has no spread, e.g. one seed). */
const exactRelativeTolerance = 1e-9;

function differences(label: string, current: unknown, baseline: unknown): string | null {
  const left = JSON.stringify(current);
  const right = JSON.stringify(baseline);
  return left === right ? null : `${label} differ (new ${left}, baseline ${right})`;
}

/**
 * Why two runs cannot be compared score by score, or null when they can: a different results schema,
 * number of samples, seed, batch size, training settings, or parameters of a suite or estimator both ran.
 */
export function incompatibility(current: BenchResults, baseline: BenchResults): string | null {
  const a: BenchConfig = current.config;
  const b: BenchConfig = baseline.config;
  const pick = (params: BenchConfig['suiteParams'], ids: readonly string[]) => Object.fromEntries(ids.filter((id) => id in params).map((id) => [id, params[id]]));
  const suites = a.suites.filter((id) => b.suites.includes(id));
  const estimators = a.estimators.filter((id) => b.estimators.includes(id));
  const checks = [
    differences('schemaVersion', current.schemaVersion, baseline.schemaVersion),
    differences('samples', a.samples, b.samples),
    differences('seeds (--seed)', a.seed, b.seed),
    differences('batch sizes', a.batchSize, b.batchSize),
    differences('training settings', a.training, b.training),
    differences('suite parameters', pick(a.suiteParams, suites), pick(b.suiteParams, suites)),
    differences('estimator parameters', pick(a.estimatorParams, estimators), pick(b.estimatorParams, estimators)),
  ];
  return checks.find((check) => check !== null) ?? null;
}

const cellKey = (cell: CompletedCell) => `${cell.suite} / ${cell.estimator} / ${cell.backend}`;

function completedByKey(results: BenchResults): Map<string, CompletedCell> {
  return new Map(results.config.suites.flatMap((suite) => completedCells(results, suite)).map((cell) => [cellKey(cell), cell]));
}

/** Value and standard error of each statistical score. */
function statisticalScores(metrics: CellMetrics, samples: number): Array<[ComparedScore, number, number]> {
  return [
    ['bias', metrics.bias, metrics.biasStdErr],
    ['variance', metrics.variance, varianceStdErr(metrics, samples)],
    ['mse', metrics.mse, mseStdErr(metrics, samples)],
    ['finalLoss', metrics.finalLoss, metrics.finalLossStdErr],
  ];
}

/** Compares every cell completed in both runs; call `incompatibility` first. */
export function compareResults(current: BenchResults, baseline: BenchResults, options: CompareOptions = compareDefaults): Comparison {
  const now = completedByKey(current);
  const before = completedByKey(baseline);
  const changes: ScoreChange[] = [];
  for (const [key, cell] of now) {
    const old = before.get(key);
    if (!old) continue;
    const identity = { suite: cell.suite, estimator: cell.estimator, backend: cell.backend };
    const oldScores = statisticalScores(old.metrics, old.samples);
    for (const [index, [score, value, stdErr]] of statisticalScores(cell.metrics, cell.samples).entries()) {
      const [, oldValue, oldStdErr] = oldScores[index];
      const threshold = Math.max(options.noiseK * Math.hypot(stdErr, oldStdErr), exactRelativeTolerance * Math.abs(oldValue));
      if (Math.abs(value - oldValue) > threshold) {
        changes.push({ ...identity, score, baseline: oldValue, current: value, threshold, verdict: value > oldValue ? 'regression' : 'improvement' });
      }
    }
    const [fresh, stale] = [cell.metrics.nsPerEstimate, old.metrics.nsPerEstimate];
    if (fresh !== undefined && stale !== undefined && stale > 0) {
      const ratio = fresh / stale;
      if (ratio > 1 + options.timingTolerance || ratio < 1 / (1 + options.timingTolerance)) {
        changes.push({ ...identity, score: 'nsPerEstimate', baseline: stale, current: fresh, threshold: options.timingTolerance, verdict: ratio > 1 ? 'regression' : 'improvement' });
      }
    }
  }
  const sameMachine = current.env.cpus === baseline.env.cpus && current.env.cpuCount === baseline.env.cpuCount;
  return {
    options,
    comparedCells: [...now.keys()].filter((key) => before.has(key)).length,
    changes,
    regressions: changes.filter((change) => change.verdict === 'regression'),
    onlyInCurrent: [...now.keys()].filter((key) => !before.has(key)),
    onlyInBaseline: [...before.keys()].filter((key) => !now.has(key)),
    ...(sameMachine ? {} : { timingNote: `timings come from different CPUs (new: ${current.env.cpus} x${current.env.cpuCount}, baseline: ${baseline.env.cpus} x${baseline.env.cpuCount})` }),
  };
}

const scoreNames: Record<ComparedScore, string> = { bias: 'bias', variance: 'variance', mse: 'MSE', finalLoss: 'final loss', nsPerEstimate: 'ns per estimate' };

function changeRow(change: ScoreChange): string[] {
  const relative = change.baseline !== 0 ? ` (${change.current >= change.baseline ? '+' : ''}${formatNumber((100 * (change.current - change.baseline)) / Math.abs(change.baseline))}%)` : '';
  const threshold = change.score === 'nsPerEstimate' ? `timing tolerance ${formatNumber(100 * change.threshold)}%` : `> ${formatNumber(change.threshold)} (k·SE)`;
  return [
    change.verdict === 'regression' ? 'REGRESSION' : 'improved',
    `${change.suite} / ${change.estimator} / ${change.backend}`,
    scoreNames[change.score],
    formatNumber(change.baseline),
    `${formatNumber(change.current)}${relative}`,
    threshold,
  ];
}

/** One line per regression, for a terminal or a CI log: `REGRESSION bernoulli-toy / ste-sigmoid / cpu variance: 0.1 -> 0.5`. */
export function regressionLines(comparison: Comparison): string[] {
  return comparison.regressions.map((change) => `REGRESSION ${change.suite} / ${change.estimator} / ${change.backend} ${scoreNames[change.score]}: ${formatNumber(change.baseline)} -> ${formatNumber(change.current)}`);
}

/** The comparison as Markdown: a verdict line, a table of changes, and the cells only one run has. */
export function renderComparison(comparison: Comparison): string {
  const { noiseK, timingTolerance } = comparison.options;
  const lines = [
    '## Comparison with the baseline',
    '',
    `${comparison.comparedCells} cells compared. A score counts as changed when |new − baseline| > ${noiseK}·√(SE_new² + SE_baseline²) ` +
      `(SE: bias from \`biasStdErr\`, variance ≈ variance·√(2/(N−1)), MSE by the delta method, final loss from \`finalLossStdErr\`), ` +
      `or, for ns per estimate, when the ratio leaves [1/${1 + timingTolerance}, ${1 + timingTolerance}].`,
    '',
    comparison.regressions.length > 0
      ? `**${comparison.regressions.length} regression(s)**, ${comparison.changes.length - comparison.regressions.length} improvement(s).`
      : `**No regressions**; ${comparison.changes.length} improvement(s).`,
  ];
  if (comparison.timingNote) lines.push('', `Note: ${comparison.timingNote}; timing changes may reflect the machine, not the code.`);
  if (comparison.changes.length > 0) {
    const header = ['verdict', 'cell', 'score', 'baseline', 'new', 'threshold'];
    const rows = comparison.changes.map(changeRow);
    lines.push('', `| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`));
  }
  if (comparison.onlyInCurrent.length > 0) lines.push('', `Only in the new run: ${comparison.onlyInCurrent.join(', ')}.`);
  if (comparison.onlyInBaseline.length > 0) lines.push('', `Only in the baseline: ${comparison.onlyInBaseline.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}

/** The comparison as plain text for a terminal. */
export function renderComparisonText(comparison: Comparison): string {
  const verdict = `${comparison.comparedCells} cells compared with the baseline (k = ${comparison.options.noiseK}, timing tolerance ${formatNumber(100 * comparison.options.timingTolerance)}%): ` +
    `${comparison.regressions.length} regression(s), ${comparison.changes.length - comparison.regressions.length} improvement(s)`;
  if (comparison.changes.length === 0) return `${verdict}\n`;
  return `${verdict}\n${formatTable(['verdict', 'cell', 'score', 'baseline', 'new', 'threshold'], comparison.changes.map(changeRow))}\n`;
}
