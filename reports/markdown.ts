/** `report.md`: environment, configuration, a table per suite with uncertainties, a ranking, and every chart. */
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchResults, CellResult } from '../harness/types.js';
import { completedCells } from './cells.js';
import { planCharts } from './charts/index.js';
import { formatNumber } from './format.js';
import { rankingLines } from './ranking.js';
import type { Reporter } from './reporter.js';
import { mseStdErr, varianceStdErr } from './uncertainty.js';

/** A Markdown table; pipes inside cells are escaped. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return [`| ${header.map(cell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)];
}

/** `value ± error` with the error to two significant digits. */
export function plusMinus(value: number | undefined, error: number | undefined): string {
  if (value === undefined) return '-';
  return error !== undefined && error > 0 ? `${formatNumber(value)} ± ${formatNumber(error, 2)}` : formatNumber(value);
}

function environmentLines(results: BenchResults): string[] {
  const { env } = results;
  const rows: string[][] = [
    ['estibench', env.estibench],
    ['Node', `${env.node} (V8 ${env.v8})`],
    ['platform', `${env.platform} ${env.arch}`],
    ['CPU', `${env.cpus} × ${env.cpuCount}`],
    // Results written before package versions were recorded have none.
    ...(env.packages && Object.keys(env.packages).length > 0
      ? [['packages', Object.entries(env.packages).map(([name, version]) => `${name} ${version}`).join(', ')]]
      : []),
  ];
  for (const backend of env.backends) {
    const details = Object.entries(backend.details ?? {}).map(([key, value]) => `${key}: ${value}`).join('; ');
    const state = backend.state === 'ready' ? `${backend.mode}${details ? ` (${details})` : ''}` : `failed: ${backend.error}`;
    const fallbacks = backend.fallbacks.length > 0 ? `; fell back after: ${backend.fallbacks.join('; ')}` : '';
    rows.push([`backend ${backend.id}`, `${state}${fallbacks}`]);
  }
  return ['## Environment', '', ...markdownTable(['', ''], rows)];
}

function configurationLines(results: BenchResults): string[] {
  const { config } = results;
  const params = (values: Readonly<Record<string, number>>) => Object.entries(values).map(([key, value]) => `${key} = ${value}`).join(', ') || 'none';
  const sweeps = [results.sweeps?.logit ? 'logit' : '', results.scaling ? 'scaling' : ''].filter(Boolean).join(', ') || 'none';
  const rows: string[][] = [
    ['samples per cell', String(config.samples)],
    ['batch size', String(config.batchSize)],
    ['seed', String(config.seed)],
    ['training', `${config.training.steps} ${config.training.optimizer ?? 'Adam (or the suite\'s)'} steps, learning rate ${config.training.learningRate ?? 'per suite'}, ${config.training.samplesPerStep ?? 'per suite'} estimates per step, ${config.training.seeds} seeds`],
    ['timed batches per cell', String(config.timingIterations)],
    ['backends', config.backends.join(', ')],
    ['sweeps', sweeps],
    ...config.suites.map((id) => [`suite ${id}`, params(config.suiteParams[id] ?? {})]),
    ...config.estimators.map((id) => [`estimator ${id}`, params(config.estimatorParams[id] ?? {})]),
  ];
  return ['## Configuration', '', ...markdownTable(['', ''], rows)];
}

/** The scores of one suite, one row per completed cell, each with its uncertainty. */
export function suiteTable(results: BenchResults, suite: string): string[] {
  const header = ['estimator', 'backend', 'bias ± SE', 'rel. bias', 'variance ± SE', 'MSE ± SE', 'cosine', 'ns/estimate ± MAD', 'final loss ± SE'];
  const rows = completedCells(results, suite).map((cell) => {
    const m = cell.metrics;
    return [
      cell.estimator, cell.backendMode ?? cell.backend, plusMinus(m.bias, m.biasStdErr), formatNumber(m.relativeBias),
      plusMinus(m.variance, varianceStdErr(m, cell.samples)), plusMinus(m.mse, mseStdErr(m, cell.samples)), formatNumber(m.cosine),
      plusMinus(m.nsPerEstimate, m.nsPerEstimateMad), plusMinus(m.finalLoss, m.finalLossStdErr),
    ];
  });
  return markdownTable(header, rows);
}

/** Cells that did not complete, with their reasons. */
export function failedCellLines(cells: readonly CellResult[]): string[] {
  return cells.filter((cell) => cell.state !== 'completed').map((cell) => `- ${cell.suite} / ${cell.estimator} / ${cell.backend}: ${cell.state}${'error' in cell ? `: ${cell.error}` : ''}`);
}

function suiteLines(results: BenchResults, suite: string): string[] {
  const failed = failedCellLines(results.cells.filter((cell) => cell.suite === suite));
  return [
    `### ${suite}`, '',
    `Parameters: ${Object.entries(results.config.suiteParams[suite] ?? {}).map(([key, value]) => `${key} = ${value}`).join(', ')}; N = ${results.config.samples} single-sample estimates per cell.`, '',
    ...suiteTable(results, suite), '',
    ...(failed.length > 0 ? ['Not completed:', '', ...failed, ''] : []),
    '**Ranking**', '', ...rankingLines(results, suite), '',
  ];
}

function chartLines(results: BenchResults): string[] {
  return ['## Charts', '', ...planCharts(results).flatMap(({ definition, specs }) => [
    `### ${definition.title}`, '',
    ...(specs.length > 0
      ? specs.flatMap((spec) => [`![${spec.title}](${spec.file})`, '', spec.caption, ''])
      : [`_Not drawn: no data in results.json. To get it, ${definition.howToGet}._`, '']),
  ])];
}

/** The whole report; `extraSections` (for example a baseline comparison) go after the results. */
export function renderMarkdownReport(results: BenchResults, extraSections: readonly string[] = []): string {
  return [
    '# estibench report', '',
    `Run of ${results.createdAt}: ${results.cells.filter((cell) => cell.state === 'completed').length} of ${results.cells.length} cells completed. ` +
      'Bias is ‖E[ĝ] − ∇‖₂ with the standard error of the mean gradient; variance is the trace of the covariance of one estimate; MSE = variance + bias². ' +
      'Uncertainties are ±1 standard error (variance: ≈ variance·√(2/(N−1))); timings are medians ± median absolute deviation.', '',
    ...environmentLines(results), '',
    ...configurationLines(results), '',
    '## Results', '',
    ...results.config.suites.flatMap((suite) => suiteLines(results, suite)),
    ...extraSections.flatMap((section) => [section, '']),
    ...chartLines(results),
  ].join('\n');
}

/** Writes `report.md`; `extraSections` are Markdown blocks placed after the results. */
export function createMarkdownReporter(extraSections: readonly string[] = []): Reporter {
  return {
    id: 'markdown',
    async report(results, outDir) {
      await mkdir(outDir, { recursive: true });
      const path = join(outDir, 'report.md');
      await writeFile(path, `${renderMarkdownReport(results, extraSections).trimEnd()}\n`);
      return [path];
    },
  };
}
