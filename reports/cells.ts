/** Selections of cells that several reports share. */
import type { BenchResults, CellResult } from '../harness/types.js';

/** A cell with scores. */
export type CompletedCell = Extract<CellResult, { state: 'completed' }>;

/** Completed cells of one suite, in run order. */
export function completedCells(results: BenchResults, suite: string): CompletedCell[] {
  return results.cells.filter((cell): cell is CompletedCell => cell.state === 'completed' && cell.suite === suite);
}

/** Number of backends in the run, to decide whether labels need the backend. */
export function backendCount(results: BenchResults): number {
  return new Set(results.cells.map((cell) => cell.backend)).size;
}
