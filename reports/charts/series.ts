/** The series a chart shows for a set of cells: one per estimator, plus a backend's own where its scores differ beyond noise. */
import type { BenchResults, CellResult } from '../../core/types.js';
import { estimatorGroups, shownCells, variantLabel, type CompletedCell } from '../cells.js';

/** One series of a chart. */
export interface ShownSeries {
  readonly cell: CompletedCell;
  /** `arm`, or `arm (gpu)` for a backend whose scores differ from the first backend's beyond noise. */
  readonly label: string;
  /** The estimator variant, which picks the style. */
  readonly styleKey: string;
  /** The backends this series stands for (those that agree with it): report.html's backend filter reads them. */
  readonly backends: readonly string[];
}

/** The series of these cells, in run order. */
export function shownSeries(results: BenchResults, cells: readonly CellResult[]): ShownSeries[] {
  return estimatorGroups(results, cells).flatMap((group) => {
    const shown = shownCells(group);
    const differing = new Set(shown.slice(1).map(({ cell }) => cell.backend));
    return shown.map(({ cell, differs }) => ({
      cell,
      label: differs.length > 0 ? `${group.label} (${cell.backend})` : group.label,
      styleKey: variantLabel(results, cell.estimator, cell.estimatorParams),
      backends: differs.length > 0 ? [cell.backend] : group.cells.map((member) => member.backend).filter((backend) => !differing.has(backend)),
    }));
  });
}

/** Height in CSS pixels that leaves room for a legend of these labels (at the right when they are short, else below), at least `base`. */
export function heightForLegend(labels: readonly string[], base: number): number {
  const named = labels.filter((label) => label !== '');
  if (named.every((label) => label.length <= 24)) return Math.max(base, 150 + 27 * named.length);
  // Below the plot: about 8 px per character plus a marker, on rows about 860 px wide.
  const rows = Math.ceil(named.reduce((total, label) => total + 8 * label.length + 50, 0) / 860);
  return Math.max(base, 430 + 27 * rows);
}
