import type { BenchResults, CellResult } from '../harness/types.js';
import { formatNumber, formatTable } from './format.js';
import type { Reporter } from './reporter.js';

function row(cell: CellResult): string[] {
  const base = [cell.suite, cell.estimator, cell.backendMode ?? cell.backend];
  if (cell.state !== 'completed') return [...base, cell.state, cell.error, '', '', '', '', '', ''];
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

/** The table of scores printed at the end of a run, one row per cell. */
export function renderConsoleTable(results: BenchResults): string {
  const header = ['suite', 'estimator', 'backend', 'state', 'bias ± se', 'rel.bias', 'variance', 'mse', 'cosine', 'ns/est', 'final loss'];
  const backends = results.env.backends.map((backend) => {
    const what = backend.state === 'ready' ? `${backend.mode}${backend.details?.renderer ? ` (${backend.details.renderer})` : ''}` : `failed: ${backend.error}`;
    const fallbacks = backend.fallbacks.length > 0 ? `; fell back after: ${backend.fallbacks.join('; ')}` : '';
    return `backend ${backend.id}: ${what}${fallbacks}`;
  });
  return [...backends, '', formatTable(header, results.cells.map(row))].join('\n');
}

/** Prints the table to standard output. */
export const consoleTableReporter: Reporter = {
  id: 'console',
  async report(results) {
    process.stdout.write(`${renderConsoleTable(results)}\n`);
    return [];
  },
};
