import { gradientScores, trainingResult, type BenchResults, type CellResult } from '../harness/types.js';
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
 * The table of scores printed at the end of a run, one row per cell, with the reasons of cells that
 * did not complete below it. (Backends, renderers and fallbacks are printed as they start.) A score a
 * cell does not have (no reference gradient, no training) shows as `-`.
 */
export function renderConsoleTable(results: BenchResults): string {
  const header = ['suite', 'estimator', 'backend', 'state', 'bias ± se', 'rel.bias', 'variance', 'mse', 'cosine', 'ns/est', 'final loss'];
  const problems = results.cells.flatMap((cell) =>
    cell.state === 'completed' ? [] : [`${cell.state}: ${cell.suite} / ${estimatorLabel(results, cell)} / ${cell.backend}: ${cell.error}`],
  );
  const missing = results.run.missingCells.length > 0
    ? ['', `${results.run.state}: ${results.run.missingCells.length} planned cell(s) have no result: ${results.run.missingCells.slice(0, 10).join('; ')}${results.run.missingCells.length > 10 ? '; ...' : ''}`]
    : [];
  return [formatTable(header, results.cells.map((cell) => row(results, cell))), ...(problems.length > 0 ? ['', ...problems] : []), ...missing].join('\n');
}

/** Prints the table to standard output. */
export const consoleTableReporter: Reporter = {
  id: 'console',
  async report(results) {
    process.stdout.write(`${renderConsoleTable(results)}\n`);
    return [];
  },
};
