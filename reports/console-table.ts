import { gradientScores, trainingResult, type BenchResults } from '../core/types.js';
import { estimatorLabel, suiteVariants } from './cells.js';
import { formatNumber, formatTable } from './format.js';
import { backendsOf, foldedRows } from './markdown.js';
import { formatTrainingMetric, trainingMetricInfo } from './training-metrics.js';
import type { Reporter } from './reporter.js';

/**
 * The table of scores printed at the end of a run: per suite setting one row per estimator, standing for
 * every backend that agrees with the first within noise (they consume the same noise), a backend's own
 * row where its scores differ beyond noise, and each backend's speed in a column of its own. Network
 * suites show their training metrics (test accuracy in percent, test −ELBO in nats). The reasons of
 * errored cells follow the table; the unsupported pairs (an estimator on a node kind it does not define)
 * are listed once per suite and estimator. A score a cell does not have shows as `-`.
 */
export function renderConsoleTable(results: BenchResults): string {
  const completed = results.cells.filter((cell) => cell.state === 'completed');
  const backends = backendsOf(completed);
  const metricNames = [...new Set(completed.flatMap((cell) => (cell.state === 'completed' ? Object.keys(cell.metrics.trainingMetrics ?? {}) : [])))];
  const header = [
    'suite', 'estimator', 'backend', 'bias ± se', 'rel.bias', 'variance', 'mse', 'cosine',
    ...backends.map(({ mode }) => (backends.length > 1 ? `ns/est ${mode}` : 'ns/est')),
    'final loss', ...metricNames.map((name) => trainingMetricInfo(name).label),
  ];
  const rows = suiteVariants(results).flatMap((variant) => foldedRows(results, variant.cells).map(({ label, cell, backends: backendText, speed }) => {
    const scores = gradientScores(cell.metrics);
    const training = trainingResult(cell.metrics);
    return [
      variant.variant ? `${variant.suite} ${variant.variant}` : variant.suite, label, backendText,
      scores ? `${formatNumber(scores.bias)} ± ${formatNumber(scores.biasStdErr, 2)}` : '-',
      formatNumber(scores?.relativeBias), formatNumber(scores?.variance), formatNumber(scores?.mse), formatNumber(scores?.cosine),
      ...backends.map(({ backend }) => formatNumber(speed.get(backend)?.metrics.nsPerEstimate)),
      formatNumber(training?.finalLoss),
      ...metricNames.map((name) => formatTrainingMetric(name, training?.trainingMetrics?.[name]?.final)),
    ];
  }));
  const problems = results.cells.flatMap((cell) =>
    cell.state === 'errored' ? [`errored: ${cell.suite} / ${estimatorLabel(results, cell)} / ${cell.backend}: ${cell.error}`] : [],
  );
  const unsupportedCount = results.cells.filter((cell) => cell.state === 'unsupported').length;
  const unsupported = [...new Set(results.cells.flatMap((cell) =>
    cell.state === 'unsupported' ? [`${cell.suite} / ${estimatorLabel(results, cell)}: ${cell.error}`] : [],
  ))];
  const unsupportedLines = unsupported.length > 0 ? ['', `unsupported (${unsupportedCount} cells, not in the table):`, ...unsupported.map((line) => `  ${line}`)] : [];
  const missing = results.run.missingCells.length > 0
    ? ['', `${results.run.state}: ${results.run.missingCells.length} planned cell(s) have no result: ${results.run.missingCells.slice(0, 10).join('; ')}${results.run.missingCells.length > 10 ? '; ...' : ''}`]
    : [];
  const table = rows.length > 0 ? [formatTable(header, rows)] : ['no cell completed'];
  return [...table, ...(problems.length > 0 ? ['', ...problems] : []), ...unsupportedLines, ...missing].join('\n');
}

/** Prints the table to standard output. */
export const consoleTableReporter: Reporter = {
  id: 'console',
  async report(results) {
    process.stdout.write(`${renderConsoleTable(results)}\n`);
    return [];
  },
};
