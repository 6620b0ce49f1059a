/** The lines report.html shows when a point is hovered: the value ± its standard error, then where it comes from. */
import { formatParameters, type ParameterValues } from '../../core/parameters.js';
import type { BenchResults } from '../../core/types.js';
import type { CompletedCell } from '../cells.js';
import { formatNumber } from '../format.js';

/** `bias 0.0123 ± 0.00311 dL/dθ`; without a standard error just the value. */
export function valueLine(name: string, value: number, stdErr?: number, unit?: string): string {
  const error = stdErr !== undefined && Number.isFinite(stdErr) ? ` ± ${formatNumber(stdErr)}` : '';
  return `${name} ${formatNumber(value)}${error}${unit ? ` ${unit}` : ''}`;
}

function withParameters(id: string, params: ParameterValues): string {
  const text = formatParameters(params, ' ');
  return text ? `${id} ${text}` : id;
}

/** Where a cell's numbers come from: suite and its parameters, estimator and its parameters, backend, samples and seed. */
export function cellLines(results: BenchResults, cell: CompletedCell): string[] {
  const backend = results.env.backends?.find((report) => report.id === cell.backend);
  const renderer = backend?.details?.renderer;
  return [
    `suite: ${withParameters(cell.suite, cell.suiteParams)}`,
    `estimator: ${withParameters(cell.estimator, cell.estimatorParams)}`,
    `backend: ${cell.backend}${cell.backendMode ? ` (${cell.backendMode}${renderer ? `, ${renderer}` : ''})` : ''}`,
    `N = ${cell.samples} estimates, seed ${cell.seed}`,
  ];
}

/** A hovered point's lines: its values (first the one plotted) and the cell's parameters. */
export function cellTip(results: BenchResults, cell: CompletedCell, values: readonly string[]): string[] {
  return [...values, ...cellLines(results, cell)];
}
