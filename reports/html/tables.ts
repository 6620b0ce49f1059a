/** The sortable score tables of report.html: one per suite setting, one row per completed cell, each number with the value it sorts by. */
import { gradientScores, trainingResult, type BenchResults, type CellResult } from '../../core/types.js';
import { estimatorLabel, suiteVariants, type CompletedCell } from '../cells.js';
import { evaluationsOf } from '../charts/variance-cost.js';
import { formatNumber } from '../format.js';
import { mseStdErr, varianceStdErr } from '../uncertainty.js';

/** One table cell: what it shows, and the number it sorts by (absent: sorts by its text). */
export interface TableEntry {
  readonly text: string;
  readonly value?: number;
}

/** One score table of report.html. */
export interface ScoreTable {
  readonly title: string;
  readonly suite: string;
  readonly nodeKind?: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<{ readonly backend: string; readonly entries: readonly TableEntry[] }>;
}

/** Metrics recorded as fractions that readers compare in percent. */
const percentMetrics = new Set(['testAccuracy', 'thresholdTestAccuracy']);

function withError(value: number | undefined, error: number | undefined, scale = 1): TableEntry {
  if (value === undefined || !Number.isFinite(value)) return { text: '-' };
  const text = error !== undefined && error > 0 && Number.isFinite(error) ? `${formatNumber(value * scale)} ± ${formatNumber(error * scale, 2)}` : formatNumber(value * scale);
  return { text, value: value * scale };
}

function tableOf(results: BenchResults, cells: readonly CellResult[]): { columns: string[]; rows: ScoreTable['rows'] } {
  const completed = cells.filter((cell): cell is CompletedCell => cell.state === 'completed');
  const hasGradient = completed.some((cell) => gradientScores(cell.metrics));
  const hasTraining = completed.some((cell) => trainingResult(cell.metrics));
  const metricNames = [...new Set(completed.flatMap((cell) => Object.keys(cell.metrics.trainingMetrics ?? {})))];
  const columns = [
    'estimator', 'backend', 'evaluations per estimate',
    ...(hasGradient ? ['bias ± SE', 'relative bias', 'variance ± SE', 'MSE ± SE', 'cosine'] : []),
    'ns per estimate ± MAD',
    ...(hasTraining ? ['final loss ± SE'] : []),
    ...metricNames.map((name) => `final ${name}${percentMetrics.has(name) ? ' [%]' : ''} ± SE`),
  ];
  const rows = completed.map((cell) => {
    const metrics = cell.metrics;
    const gradient = gradientScores(metrics);
    const training = trainingResult(metrics);
    const evaluations = evaluationsOf(cell);
    const entries: TableEntry[] = [
      { text: estimatorLabel(results, cell) },
      { text: cell.backendMode ?? cell.backend },
      evaluations === null ? { text: '-' } : { text: String(evaluations), value: evaluations },
      ...(hasGradient
        ? gradient
          ? [withError(gradient.bias, gradient.biasStdErr), withError(gradient.relativeBias, undefined), withError(gradient.variance, varianceStdErr(gradient, cell.samples)),
            withError(gradient.mse, mseStdErr(gradient, cell.samples)), withError(gradient.cosine, undefined)]
          : [{ text: '-' }, { text: '-' }, { text: '-' }, { text: '-' }, { text: '-' }]
        : []),
      withError(metrics.nsPerEstimate, metrics.nsPerEstimateMad),
      ...(hasTraining ? [training ? withError(training.finalLoss, training.finalLossStdErr) : { text: '-' }] : []),
      ...metricNames.map((name) => withError(metrics.trainingMetrics?.[name]?.final, metrics.trainingMetrics?.[name]?.finalStdErr, percentMetrics.has(name) ? 100 : 1)),
    ];
    return { backend: cell.backend, entries };
  });
  return { columns, rows };
}

/** One table per suite setting and node kind with at least one completed cell. */
export function scoreTables(results: BenchResults): ScoreTable[] {
  return suiteVariants(results).flatMap((variant) => {
    const { columns, rows } = tableOf(results, variant.cells);
    if (rows.length === 0) return [];
    return [{ title: variant.title, suite: variant.suite, ...(variant.nodeKind ? { nodeKind: variant.nodeKind } : {}), columns, rows }];
  });
}
