import { chartsReporter } from './charts/index.js';
import { consoleTableReporter } from './console-table.js';
import { htmlReporter } from './html/report-html.js';
import { createMarkdownReporter } from './markdown.js';
import type { Reporter } from './reporter.js';
import { resultsCsvReporter } from './results-csv.js';
import { resultsJsonReporter } from './results-json.js';
import { createSummaryReporter } from './summary.js';

export type { Reporter } from './reporter.js';

/** Built-in reporters keyed by id, run in this order after every benchmark: results.json, results.csv beside it, the console table. */
export const builtInReporters: ReadonlyMap<string, Reporter> = new Map(
  [resultsJsonReporter, resultsCsvReporter, consoleTableReporter].map((reporter) => [reporter.id, reporter]),
);

/**
 * Reporters that render documents from a results object (charts, report.md, summary.md, report.html), keyed by id.
 * `extraSections` are Markdown blocks (a baseline comparison) added to report.md and the summary.
 * `npm run bench` runs them unless `--no-report`; `npm run report` runs them on a saved results.json.
 */
export function createDocumentReporters(extraSections: readonly string[] = []): ReadonlyMap<string, Reporter> {
  return new Map(
    [chartsReporter, createMarkdownReporter(extraSections), createSummaryReporter(extraSections), htmlReporter].map((reporter) => [reporter.id, reporter]),
  );
}
