/**
 * `summary.md`: a short Markdown summary for a CI job page. Written beside results.json and, when
 * `$GITHUB_STEP_SUMMARY` is set (GitHub Actions), appended to that file too.
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gradientScores, trainingResult, type BenchResults } from '../core/types.js';
import { suiteVariants, type CompletedCell } from './cells.js';
import { formatNumber } from './format.js';
import { backendsOf, failedCellLines, foldedRows, markdownTable, plusMinus, runText } from './markdown.js';
import { rankingLegend } from './ranking.js';
import { formatTrainingMetric, trainingMetricInfo } from './training-metrics.js';
import { verdictLines } from './verdict/render.js';
import type { Reporter } from './reporter.js';

/** The summary: per suite setting a compact table and the ranking, then failures and `extraSections`. */
export function renderSummary(results: BenchResults, extraSections: readonly string[] = []): string {
  const completed = results.cells.filter((cell) => cell.state === 'completed').length;
  const backends = results.env.backends.map((backend) =>
    `${backend.id}: ${backend.state === 'ready' ? `${backend.mode}${backend.details?.renderer ? ` (${backend.details.renderer})` : ''}` : `failed (${backend.error})`}`);
  const failed = failedCellLines(results, results.cells);
  const training = results.config.training.steps > 0 ? `${results.config.training.steps} training steps × ${results.config.training.seeds} seeds` : 'no training';
  const lines = [
    '## estibench',
    '',
    `${completed} of ${results.cells.length} cells completed (run ${runText(results.run)}) · N = ${results.config.samples} estimates per cell · ${training} · ${backends.join(' · ')} · Node ${results.env.node} on ${results.env.cpus} × ${results.env.cpuCount}`,
    '',
    `One row per estimator for every backend that agrees with the first within noise. ${rankingLegend}`,
    '',
  ];
  for (const variant of suiteVariants(results)) {
    const completedCells = variant.cells.filter((cell): cell is CompletedCell => cell.state === 'completed');
    const backends = backendsOf(completedCells);
    const hasTiming = completedCells.some((cell) => cell.metrics.nsPerEstimate !== undefined);
    const hasTraining = completedCells.some((cell) => trainingResult(cell.metrics));
    const metricNames = [...new Set(completedCells.flatMap((cell) => Object.keys(cell.metrics.trainingMetrics ?? {})))];
    const rows = foldedRows(results, completedCells).map(({ label, cell, backends: backendText, speed }) => {
      const g = gradientScores(cell.metrics);
      const t = trainingResult(cell.metrics);
      return [
        label, backendText, g ? plusMinus(g.bias, g.biasStdErr) : '-', formatNumber(g?.variance), formatNumber(g?.mse),
        ...(hasTiming ? backends.map(({ backend }) => formatNumber(speed.get(backend)?.metrics.nsPerEstimate)) : []),
        ...(hasTraining ? [t ? plusMinus(t.finalLoss, t.finalLossStdErr) : '-'] : []),
        ...metricNames.map((name) => formatTrainingMetric(name, t?.trainingMetrics?.[name]?.final, t?.trainingMetrics?.[name]?.finalStdErr)),
      ];
    });
    const header = [
      'estimator', 'backend', 'bias ± SE', 'variance', 'MSE',
      ...(hasTiming ? backends.map(({ mode }) => (backends.length > 1 ? `ns/est ${mode}` : 'ns/est')) : []),
      ...(hasTraining ? ['final loss ± SE'] : []), ...metricNames.map((name) => trainingMetricInfo(name).label),
    ];
    lines.push(`### ${variant.title}`, '', ...markdownTable(header, rows), '', ...verdictLines(results, variant, false));
  }
  if (failed.length > 0) lines.push('### Not completed', '', ...failed, '');
  if (results.run.missingCells.length > 0) lines.push('### Planned cells without a result', '', ...results.run.missingCells.map((label) => `- ${label}`), '');
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
