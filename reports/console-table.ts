import type { BenchResults, CellResult } from '../harness/types.js';
import { formatNumber, formatTable } from './format.js';
import type { Reporter } from './reporter.js';

function row(cell: CellResult): string[] {
  const base = [cell.suite, cell.estimator, cell.backendMode ?? cell.backend];
  if (cell.state !== 'completed') return [...base, cell.state, '-', '-', '-', '-', '-', '-', '-'];
  const m = cell.metrics;
  return [
    ...base,
    cell.state,
    `${formatNumber(m.bias)} ± ${formatNumber(m.biasStdErr, 2)}`,
    formatNumber(m.relativeBias),
    formatNumber(m.variance),
    formatNumber(m.mse),
    formatNumber(m.cosine),
    formatNumber(m.nsPerEstimate),
    formatNumber(m.finalLoss),
  ];
}

/**
 * The table of scores printed at the end of a run, one row per cell, with the reasons of cells that
 * did not complete below it. (Backends, renderers and fallbacks are printed as they start.)
 */
export function renderConsoleTable(results: BenchResults): string {
  const header = ['suite', 'estimator', 'backend', 'state', 'bias ± se', 'rel.bias', 'variance', 'mse', 'cosine', 'ns/est', 'final loss'];
  const problems = results.cells.flatMap((cell) =>
    cell.state === 'completed' ? [] : [`${cell.state}: ${cell.suite} / ${cell.estimator} / ${cell.backend}: ${cell.error}`],
  );
  return [formatTable(header, results.cells.map(row)), ...(problems.length > 0 ? ['', ...problems] : [])].join('\n');
}

/** Prints the table to standard output. */
export const consoleTableReporter: Reporter = {
  id: 'console',
  async report(results) {
    process.stdout.write(`${renderConsoleTable(results)}\n`);
    return [];
  },
};
