import { gradientScores, trainingResult, type BenchResults, type CellResult } from '../core/types.js';
import { estimatorLabel, suiteVariantLabel } from './cells.js';
import { formatNumber, formatTable } from './format.js';
import type { Reporter } from './reporter.js';

function row(results: BenchResults, cell: CellResult): string[] {
  const variant = suiteVariantLabel(results, cell);
  const base = [variant ? `${cell.suite} ${variant}` : cell.suite, estimatorLabel(results, cell), cell.backendMode ?? cell.backend];
  if (cell.state !== 'completed') return [...base, cell.state, '-', '-', '-', '-', '-', '-', '-'];
  const scores = gradientScores(cell.metrics);
  const training = trainingResult(cell.metrics);
  return [
    ...base,
    cell.state,
    scores ? `${formatNumber(scores.bias)} ± ${formatNumber(scores.biasStdErr, 2)}` : '-',
    formatNumber(scores?.relativeBias),
    formatNumber(scores?.variance),
    formatNumber(scores?.mse),
    formatNumber(scores?.cosine),
    formatNumber(cell.metrics.nsPerEstimate),
    formatNumber(training?.finalLoss),
  ];
}

/**
 * The table of scores printed at the end of a run, one row per cell that ran, with the reasons of
 * errored cells below it and the unsupported pairs (an estimator on a node kind it does not define)
 * listed once per suite and estimator rather than as empty rows. (Backends, renderers and fallbacks are
 * printed as they start.) A score a cell does not have (no reference gradient, no training) shows as `-`.
 */
export function renderConsoleTable(results: BenchResults): string {
  const header = ['suite', 'estimator', 'backend', 'state', 'bias ± se', 'rel.bias', 'variance', 'mse', 'cosine', 'ns/est', 'final loss'];
  const shown = results.cells.filter((cell) => cell.state !== 'unsupported');
  const problems = results.cells.flatMap((cell) =>
    cell.state === 'errored' ? [`errored: ${cell.suite} / ${estimatorLabel(results, cell)} / ${cell.backend}: ${cell.error}`] : [],
  );
  const unsupported = [...new Set(results.cells.flatMap((cell) =>
    cell.state === 'unsupported' ? [`${cell.suite} / ${estimatorLabel(results, cell)}: ${cell.error}`] : [],
  ))];
  const unsupportedLines = unsupported.length > 0 ? ['', `unsupported (${results.cells.length - shown.length} cells, not in the table):`, ...unsupported.map((line) => `  ${line}`)] : [];
  const missing = results.run.missingCells.length > 0
    ? ['', `${results.run.state}: ${results.run.missingCells.length} planned cell(s) have no result: ${results.run.missingCells.slice(0, 10).join('; ')}${results.run.missingCells.length > 10 ? '; ...' : ''}`]
    : [];
  return [formatTable(header, shown.map((cell) => row(results, cell))), ...(problems.length > 0 ? ['', ...problems] : []), ...unsupportedLines, ...missing].join('\n');
}

/** Prints the table to standard output. */
export const consoleTableReporter: Reporter = {
  id: 'console',
  async report(results) {
    process.stdout.write(`${renderConsoleTable(results)}\n`);
    return [];
  },
};
