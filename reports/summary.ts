/**
 * `summary.md`: a short Markdown summary for a CI job page. Written beside results.json and, when
 * `$GITHUB_STEP_SUMMARY` is set (GitHub Actions), appended to that file too.
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchResults } from '../harness/types.js';
import { completedCells } from './cells.js';
import { formatNumber } from './format.js';
import { failedCellLines, markdownTable, plusMinus } from './markdown.js';
import { rankingLines } from './ranking.js';
import type { Reporter } from './reporter.js';

/** The summary: per suite a compact table and the ranking, then failures and `extraSections`. */
export function renderSummary(results: BenchResults, extraSections: readonly string[] = []): string {
  const completed = results.cells.filter((cell) => cell.state === 'completed').length;
  const backends = results.env.backends.map((backend) =>
    `${backend.id}: ${backend.state === 'ready' ? `${backend.mode}${backend.details?.renderer ? ` (${backend.details.renderer})` : ''}` : `failed (${backend.error})`}`);
  const failed = failedCellLines(results.cells);
  const lines = [
    '## estibench',
    '',
    `${completed} of ${results.cells.length} cells completed · N = ${results.config.samples} estimates per cell · ${results.config.training.steps} training steps × ${results.config.training.seeds} seeds · ${backends.join(' · ')} · Node ${results.env.node} on ${results.env.cpus} × ${results.env.cpuCount}`,
    '',
  ];
  for (const suite of results.config.suites) {
    const rows = completedCells(results, suite).map((cell) => [
      cell.estimator, cell.backend, plusMinus(cell.metrics.bias, cell.metrics.biasStdErr), formatNumber(cell.metrics.variance),
      formatNumber(cell.metrics.mse), formatNumber(cell.metrics.nsPerEstimate), plusMinus(cell.metrics.finalLoss, cell.metrics.finalLossStdErr),
    ]);
    lines.push(`### ${suite}`, '', ...markdownTable(['estimator', 'backend', 'bias ± SE', 'variance', 'MSE', 'ns/est', 'final loss ± SE'], rows), '', ...rankingLines(results, suite), '');
  }
  if (failed.length > 0) lines.push('### Not completed', '', ...failed, '');
  lines.push(...extraSections.flatMap((section) => [section, '']));
  lines.push('Charts, report.md and results.json are in the run\'s artifacts.', '');
  return lines.join('\n');
}

/** Writes `summary.md` and, under GitHub Actions, appends it to the job summary. */
export function createSummaryReporter(extraSections: readonly string[] = [], environment: NodeJS.ProcessEnv = process.env): Reporter {
  return {
    id: 'summary',
    async report(results, outDir) {
      await mkdir(outDir, { recursive: true });
      const text = renderSummary(results, extraSections);
      const path = join(outDir, 'summary.md');
      await writeFile(path, text);
      const stepSummary = environment.GITHUB_STEP_SUMMARY;
      if (stepSummary) await appendFile(stepSummary, text);
      return stepSummary ? [path, stepSummary] : [path];
    },
  };
}
