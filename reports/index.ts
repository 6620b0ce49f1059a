import { consoleTableReporter } from './console-table.js';
import type { Reporter } from './reporter.js';
import { resultsJsonReporter } from './results-json.js';

export type { Reporter } from './reporter.js';

/** Built-in reporters keyed by id, run in this order after a benchmark. */
export const builtInReporters: ReadonlyMap<string, Reporter> = new Map(
  [resultsJsonReporter, consoleTableReporter].map((reporter) => [reporter.id, reporter]),
);
