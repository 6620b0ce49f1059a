import type { BenchResults } from '../core/types.js';

/** A consumer of the results object; reporters never compute scores themselves. */
export interface Reporter {
  /** Registry key. */
  readonly id: string;
  /** Writes or prints the report; returns the paths of files written (empty for console output). */
  report(results: BenchResults, outDir: string): Promise<string[]>;
}
