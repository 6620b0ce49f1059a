import { chartsReporter } from './charts/index.js';
import { consoleTableReporter } from './console-table.js';
import type { Reporter } from './reporter.js';
import { resultsJsonReporter } from './results-json.js';

export type { Reporter } from './reporter.js';

/** Built-in reporters keyed by id, run in this order after every benchmark. */
export const builtInReporters: ReadonlyMap<string, Reporter> = new Map(
  [resultsJsonReporter, consoleTableReporter].map((reporter) => [reporter.id, reporter]),
);

/**
 * Reporters that render documents from results.json (charts first: report.md embeds them), keyed by id.
 * `npm run bench` runs them unless `--no-report`; `npm run report` runs them on a saved results.json.
 */
export const documentReporters: ReadonlyMap<string, Reporter> = new Map(
  [chartsReporter].map((reporter) => [reporter.id, reporter]),
);
