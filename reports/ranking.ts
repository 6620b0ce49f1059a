/** The short ranking per suite (lowest MSE, lowest bias, fastest, lowest final loss) that report.md and the CI summary show. */
import type { BenchResults, CellMetrics } from '../harness/types.js';
import { backendCount, completedCells, type CompletedCell } from './cells.js';
import { formatNumber } from './format.js';
import { mseStdErr } from './uncertainty.js';

interface Criterion {
  readonly title: string;
  readonly value: (metrics: CellMetrics) => number | undefined;
  /** Standard error (or spread) shown after the value; undefined when the score has none. */
  readonly error: (cell: CompletedCell) => number | undefined;
  readonly unit: string;
}

const criteria: readonly Criterion[] = [
  { title: 'lowest MSE', value: (m) => m.mse, error: (cell) => mseStdErr(cell.metrics, cell.samples), unit: '' },
  { title: 'lowest bias', value: (m) => m.bias, error: (cell) => cell.metrics.biasStdErr, unit: '' },
  { title: 'fastest', value: (m) => m.nsPerEstimate, error: (cell) => cell.metrics.nsPerEstimateMad, unit: ' ns per estimate' },
  { title: 'lowest final loss', value: (m) => m.finalLoss, error: (cell) => cell.metrics.finalLossStdErr, unit: '' },
];

function name(cell: CompletedCell, backends: number): string {
  return backends > 1 ? `${cell.estimator} (${cell.backend})` : cell.estimator;
}

function withError(value: number, error: number | undefined, unit: string): string {
  return `${formatNumber(value)}${error !== undefined && error > 0 ? ` ± ${formatNumber(error, 2)}` : ''}${unit}`;
}

/**
 * Markdown bullet lines ranking the completed cells of one suite. The runner-up is named with a note
 * when the two are within two combined standard errors: the order between them is not established.
 */
export function rankingLines(results: BenchResults, suite: string): string[] {
  const backends = backendCount(results);
  const cells = completedCells(results, suite);
  return criteria.flatMap((criterion) => {
    const ranked = cells
      .filter((cell) => Number.isFinite(criterion.value(cell.metrics) ?? Number.NaN))
      .sort((left, right) => criterion.value(left.metrics)! - criterion.value(right.metrics)!);
    if (ranked.length === 0) return [];
    const [best, next] = ranked;
    const bestValue = criterion.value(best.metrics)!;
    let line = `- **${criterion.title}**: ${name(best, backends)}, ${withError(bestValue, criterion.error(best), criterion.unit)}`;
    if (next) {
      const nextValue = criterion.value(next.metrics)!;
      const noise = Math.hypot(criterion.error(best) ?? 0, criterion.error(next) ?? 0);
      const tie = noise > 0 && nextValue - bestValue < 2 * noise ? ' (within noise of the best)' : '';
      line += `; next ${name(next, backends)}, ${withError(nextValue, criterion.error(next), criterion.unit)}${tie}`;
    }
    return [line];
  });
}
