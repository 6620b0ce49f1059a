/** Comparison of a run against a baseline run: which scores moved beyond their noise, and which of those are regressions. */
import { gradientScores, trainingResult, type BenchConfig, type BenchResults, type CellMetrics, type CellResult } from '../core/types.js';
import { estimatorLabel, suiteVariantLabel } from './cells.js';
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

/**
 * A timing change must also exceed this many combined median absolute deviations of the two runs'
 * batch times: a cell whose batches scatter widely cannot show a slow-down by its median alone.
 */
export const timingSpreadK = 3;

/** Scores compared; every one of them is better when lower. `state` is a cell that completed in the baseline and errored now. */
export type ComparedScore = 'bias' | 'variance' | 'mse' | 'finalLoss' | 'nsPerEstimate' | 'state';

/** One score of one cell that moved beyond its noise (or beyond the timing tolerance). */
export interface ScoreChange {
  readonly suite: string;
  /** The estimator with the parameters that vary in the run. */
  readonly estimator: string;
  readonly backend: string;
  readonly score: ComparedScore;
  readonly baseline: number;
  readonly current: number;
  /** The smallest change that would have counted: k * combined SE, or the tolerance for timing. */
  readonly threshold: number;
  /** For `state`: why the cell failed now. */
  readonly error?: string;
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
    differences('samples', a.samples, b.samples),
    differences('seeds (--seed)', a.seeds, b.seeds),
    differences('batch sizes', a.batchSize, b.batchSize),
    differences('training settings', a.training, b.training),
    differences('suite parameters', pick(a.suiteParams, suites), pick(b.suiteParams, suites)),
    differences('estimator parameters', pick(a.estimatorParams, estimators), pick(b.estimatorParams, estimators)),
  ];
  return checks.find((check) => check !== null) ?? null;
}

/** `suite / estimator / backend`, with what varies in the run. */
function cellName(results: BenchResults, cell: CellResult): string {
  const variant = suiteVariantLabel(results, cell);
  return `${variant ? `${cell.suite} ${variant}` : cell.suite} / ${estimatorLabel(results, cell)} / ${cell.backend}`;
}

/** Value and standard error of each statistical score the cell has (a group absent in either run is not compared). */
function statisticalScores(metrics: CellMetrics, samples: number): Map<ComparedScore, [number, number]> {
  const scores = new Map<ComparedScore, [number, number]>();
  const gradient = gradientScores(metrics);
  if (gradient) {
    scores.set('bias', [gradient.bias, gradient.biasStdErr]);
    scores.set('variance', [gradient.variance, varianceStdErr(gradient, samples)]);
    scores.set('mse', [gradient.mse, mseStdErr(gradient, samples)]);
  }
  const training = trainingResult(metrics);
  if (training) scores.set('finalLoss', [training.finalLoss, training.finalLossStdErr]);
  return scores;
}

/**
 * Compares every cell of the current run with the same cell (same key) of the baseline; call
 * `incompatibility` first. A cell completed in the baseline and errored now is a regression of its
 * `state`. Timing counts as changed when the ratio leaves the tolerance and the difference also
 * exceeds `timingSpreadK` combined median absolute deviations, so two runs of the same code on a
 * quiet machine do not flag.
 */
export function compareResults(current: BenchResults, baseline: BenchResults, options: CompareOptions = compareDefaults): Comparison {
  const before = new Map(baseline.cells.map((cell) => [cell.key, cell]));
  const now = new Map(current.cells.map((cell) => [cell.key, cell]));
  const changes: ScoreChange[] = [];
  let comparedCells = 0;
  for (const [key, cell] of now) {
    const old = before.get(key);
    if (!old || old.state !== 'completed') continue;
    const identity = { suite: cell.suite, estimator: estimatorLabel(current, cell), backend: cell.backend };
    if (cell.state === 'errored') {
      comparedCells++;
      changes.push({ ...identity, score: 'state', baseline: 1, current: 0, threshold: 0, verdict: 'regression', error: cell.error });
      continue;
    }
    if (cell.state !== 'completed') continue;
    comparedCells++;
    const oldScores = statisticalScores(old.metrics, old.samples);
    for (const [score, [value, stdErr]] of statisticalScores(cell.metrics, cell.samples)) {
      const previous = oldScores.get(score);
      if (!previous) continue;
      const [oldValue, oldStdErr] = previous;
      const threshold = Math.max(options.noiseK * Math.hypot(stdErr, oldStdErr), exactRelativeTolerance * Math.abs(oldValue));
      if (Math.abs(value - oldValue) > threshold) {
        changes.push({ ...identity, score, baseline: oldValue, current: value, threshold, verdict: value > oldValue ? 'regression' : 'improvement' });
      }
    }
    const [fresh, stale] = [cell.metrics.nsPerEstimate, old.metrics.nsPerEstimate];
    if (fresh !== undefined && stale !== undefined && stale > 0) {
      const ratio = fresh / stale;
      const spread = timingSpreadK * Math.hypot(cell.metrics.nsPerEstimateMad ?? 0, old.metrics.nsPerEstimateMad ?? 0);
      const beyondTolerance = ratio > 1 + options.timingTolerance || ratio < 1 / (1 + options.timingTolerance);
      if (beyondTolerance && Math.abs(fresh - stale) > spread) {
        changes.push({ ...identity, score: 'nsPerEstimate', baseline: stale, current: fresh, threshold: options.timingTolerance, verdict: ratio > 1 ? 'regression' : 'improvement' });
      }
    }
  }
  const completedKeys = (results: BenchResults) => results.cells.filter((cell) => cell.state === 'completed');
  const sameMachine = current.env.cpus === baseline.env.cpus && current.env.cpuCount === baseline.env.cpuCount;
  return {
    options,
    comparedCells,
    changes,
    regressions: changes.filter((change) => change.verdict === 'regression'),
    onlyInCurrent: completedKeys(current).filter((cell) => !before.has(cell.key)).map((cell) => cellName(current, cell)),
    onlyInBaseline: completedKeys(baseline).filter((cell) => !now.has(cell.key)).map((cell) => cellName(baseline, cell)),
    ...(sameMachine ? {} : { timingNote: `timings come from different CPUs (new: ${current.env.cpus} x${current.env.cpuCount}, baseline: ${baseline.env.cpus} x${baseline.env.cpuCount})` }),
  };
}

const scoreNames: Record<ComparedScore, string> = { bias: 'bias', variance: 'variance', mse: 'MSE', finalLoss: 'final loss', nsPerEstimate: 'ns per estimate', state: 'state' };

function changeRow(change: ScoreChange): string[] {
  if (change.score === 'state') {
    return ['REGRESSION', `${change.suite} / ${change.estimator} / ${change.backend}`, 'state', 'completed', `errored: ${change.error ?? ''}`, 'any failure'];
  }
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
  return comparison.regressions.map((change) => `REGRESSION ${change.suite} / ${change.estimator} / ${change.backend} ${scoreNames[change.score]}: ` +
    (change.score === 'state' ? `completed -> errored (${change.error ?? ''})` : `${formatNumber(change.baseline)} -> ${formatNumber(change.current)}`));
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
