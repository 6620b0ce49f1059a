/**
 * `report.html`: one self-contained page beside report.md. Chart.js (its UMD build from node_modules),
 * the chart runtime, the page script and the run's charts and tables (as JSON) are inlined, so the page
 * needs no network when viewed. Every chart of the PNG set is drawn from the same chart plans.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BenchResults } from '../../core/types.js';
import { suiteVariants } from '../cells.js';
import { chartSize } from '../charts/chart.js';
import { planCharts } from '../charts/index.js';
import { chartFontFamily } from '../charts/render.js';
import { chartRuntime } from '../charts/runtime.js';
import type { Reporter } from '../reporter.js';
import { estibenchApp, type PageData } from './app.js';
import { scoreTables } from './tables.js';

/** The page's data: every planned chart, the notes on skipped ones, the tables and the filter values. */
export function pageData(results: BenchResults): PageData {
  const plans = planCharts(results);
  return {
    charts: plans.flatMap(({ definition, specs }) => specs.map((spec) => ({ kind: definition.title, ...spec }))),
    skipped: plans.flatMap(({ skipped }) => skipped),
    tables: scoreTables(results),
    suites: [...new Set(suiteVariants(results).map((variant) => variant.suite))],
    nodeKinds: [...new Set(suiteVariants(results).flatMap((variant) => (variant.nodeKind ? [variant.nodeKind] : [])))],
    backends: [...new Set(results.cells.map((cell) => cell.backend))],
    width: chartSize.width,
    defaultHeight: chartSize.height,
    fontFamily: chartFontFamily,
  };
}

/** Text that may sit inside a <script> element: no `</script` and no `<!--` can end or confuse it. */
function scriptSafe(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Chart.js's browser build as installed. */
export async function chartJsBrowserSource(): Promise<string> {
  const main = createRequire(import.meta.url).resolve('chart.js');
  return readFile(join(dirname(main), 'chart.umd.min.js'), 'utf8');
}

const style = `
body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; margin: 24px; color: #222; max-width: 1200px; }
.filters { position: sticky; top: 0; background: #fff; padding: 8px 0; border-bottom: 1px solid #ddd; z-index: 2; display: flex; gap: 18px; flex-wrap: wrap; }
table { border-collapse: collapse; margin: 8px 0 24px; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
th { background: #f4f4f4; cursor: pointer; user-select: none; }
th[aria-sort=ascending]::after { content: ' ▲'; } th[aria-sort=descending]::after { content: ' ▼'; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 16px 0 32px; } figcaption { max-width: 900px; font-size: 14px; color: #333; }
#tooltip { position: absolute; background: rgba(255,255,255,0.97); border: 1px solid #888; border-radius: 4px; padding: 6px 8px; font-size: 13px; pointer-events: none; z-index: 3; box-shadow: 0 2px 6px rgba(0,0,0,0.2); }
[hidden] { display: none !important; }
`;

/** The whole page. */
export async function renderReportHtml(results: BenchResults): Promise<string> {
  const data = pageData(results);
  const completed = results.cells.filter((cell) => cell.state === 'completed').length;
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>estibench report: ${escapeHtml(results.createdAt)}</title>
<style>${style}</style>
</head>
<body>
<h1>estibench report</h1>
<p>Run of ${escapeHtml(results.createdAt)} (${escapeHtml(results.run.state)}): ${completed} of ${results.cells.length} cells completed; estibench ${escapeHtml(results.env.estibench)}, Node ${escapeHtml(results.env.node)}, ${escapeHtml(results.env.cpus)} × ${results.env.cpuCount}.
Hover a point for its value ± standard error and the cell's parameters; click a legend entry to hide a series; click a column head to sort. report.md beside this file has the environment and the rankings.</p>
<div id="report"></div>
<script type="application/json" id="estibench-data">${json}</script>
<script>${scriptSafe(await chartJsBrowserSource())}</script>
<script>
${scriptSafe(`const estibenchRuntime = (${chartRuntime.toString()})();
const estibenchData = JSON.parse(document.getElementById('estibench-data').textContent);
window.estibench = (${estibenchApp.toString()})(estibenchRuntime, estibenchData, Chart, document.getElementById('report'));`)}
</script>
</body>
</html>
`;
}

/** Writes report.html. */
export const htmlReporter: Reporter = {
  id: 'html',
  async report(results, outDir) {
    await mkdir(outDir, { recursive: true });
    const path = join(outDir, 'report.html');
    await writeFile(path, await renderReportHtml(results));
    return [path];
  },
};
