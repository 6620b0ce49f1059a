/** `report.md`: environment, configuration, a table per suite with uncertainties, a ranking, and every chart. */
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { formatShard } from '../core/types.js';
import type { ParameterGrid } from '../core/parameters.js';
import { gradientScores, trainingResult, type BenchResults, type CellResult } from '../core/types.js';
import { estimatorGroups, estimatorLabel, shownCells, suiteVariants, type CompletedCell, type SuiteVariant } from './cells.js';
import { planCharts } from './charts/index.js';
import { formatNumber } from './format.js';
import { codeProvenanceEntries } from './provenance.js';
import { formatMeasured, rankingLegend } from './ranking.js';
import { formatTrainingMetric, trainingMetricInfo } from './training-metrics.js';
import { verdictLines } from './verdict/render.js';
import type { Reporter } from './reporter.js';
import { mseStdErr, varianceStdErr } from './uncertainty.js';

/** A Markdown table; pipes inside cells are escaped. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return [`| ${header.map(cell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)];
}

/** `value ± error` with the error to two significant digits and the value down to the error's second digit. */
export function plusMinus(value: number | undefined, error: number | undefined): string {
  if (value === undefined) return '-';
  return formatMeasured({ value, ...(error !== undefined ? { stdErr: error } : {}) });
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
  // Which code made the numbers (absent in results written before it was recorded).
  for (const entry of codeProvenanceEntries(results)) rows.push(['code', entry]);
  // Shards ran on machines of their own: timings compare within a shard's machine only.
  for (const source of results.run.mergedFrom ?? []) {
    const shard = source.shard ? `shard ${formatShard(source.shard)}` : 'run';
    rows.push([`merged ${shard}`, `${source.dir}: ${source.cells} cells, ${source.state}, ${source.cpus} × ${source.cpuCount}, ${source.threads} threads, ${source.createdAt}`]);
  }
  return ['## Environment', '', ...markdownTable(['', ''], rows)];
}

function gridText(grid: ParameterGrid | undefined): string {
  return Object.entries(grid ?? {}).map(([key, values]) => `${key} = ${values.join(', ')}`).join('; ') || 'none';
}

function configurationLines(results: BenchResults): string[] {
  const { config, run } = results;
  const sweeps = [results.sweeps?.logit ? 'logit' : '', results.scaling ? 'scaling' : ''].filter(Boolean).join(', ') || 'none';
  const training = config.training.steps > 0
    ? `${config.training.steps} ${config.training.optimizer ?? 'Adam (or the suite\'s)'} steps, learning rate ${config.training.learningRate ?? 'per suite'}, ` +
      `${config.training.samplesPerStep ?? 'per suite'} estimates per step, ${config.training.seeds} seeds`
    : 'none (--steps 0)';
  const rows: string[][] = [
    ['samples per cell', String(config.samples)],
    ['batch size', String(config.batchSize)],
    [config.seeds.length > 1 ? 'seeds' : 'seed', config.seeds.join(', ')],
    ['training', training],
    ['timed batches per cell', String(config.timingIterations)],
    ['backends', config.backends.join(', ')],
    ['CPU threads', String(config.threads)],
    ['sweeps', sweeps],
    ['run', runText(run)],
    ...config.suites.map((id) => [`suite ${id}`, gridText(config.suiteParams[id])]),
    ...config.estimators.map((id) => [`estimator ${id}`, gridText(config.estimatorParams[id])]),
  ];
  return ['## Configuration', '', ...markdownTable(['', ''], rows)];
}

/** The run's state, shard, resumed and merged parts in one line. */
export function runText(run: BenchResults['run']): string {
  const parts = [`${run.state}, ${run.plannedCells - run.missingCells.length} of ${run.plannedCells} planned cells`];
  if (run.shard) parts.push(`shard ${formatShard(run.shard)}`);
  if (run.resumedCells > 0) parts.push(`${run.resumedCells} from an earlier session (--resume)`);
  if (run.interruptedBy) parts.push(`stopped by ${run.interruptedBy}`);
  if (run.mergedFrom) parts.push(`merged from ${run.mergedFrom.length} runs`);
  return parts.join('; ');
}

/** The backends of some cells in run order, as requested (`cpu`) and as they ran (`cpu:fused-js`). */
export function backendsOf(cells: readonly CellResult[]): Array<{ readonly backend: string; readonly mode: string }> {
  const seen = new Map<string, string>();
  for (const cell of cells) if (cell.state === 'completed' && !seen.has(cell.backend)) seen.set(cell.backend, cell.backendMode ?? cell.backend);
  return [...seen].map(([backend, mode]) => ({ backend, mode }));
}

/**
 * The rows of a suite table: per estimator (and seed) the first backend's cell, which stands for every
 * backend that agrees with it within noise, plus a row for each backend that differs beyond noise.
 * `speed` holds the cells whose times the row shows, by backend.
 */
export function foldedRows(results: BenchResults, cells: readonly CellResult[]): Array<{
  readonly label: string; readonly cell: CompletedCell; readonly backends: string; readonly differs: readonly string[]; readonly speed: ReadonlyMap<string, CompletedCell>;
}> {
  return estimatorGroups(results, cells).flatMap((group) => {
    const shown = shownCells(group);
    const differing = new Set(shown.slice(1).map(({ cell }) => cell.backend));
    const agreeing = group.cells.filter((cell) => !differing.has(cell.backend));
    return shown.map(({ cell, differs }, index) => index === 0
      ? { label: group.label, cell, differs, backends: [...new Set(agreeing.map((other) => other.backendMode ?? other.backend))].join(', '), speed: new Map(agreeing.map((other) => [other.backend, other])) }
      : { label: group.label, cell, differs, backends: `${cell.backendMode ?? cell.backend} (differs: ${differs.join(', ')})`, speed: new Map([[cell.backend, cell]]) });
  });
}

/**
 * The scores of one suite setting with their uncertainties: one row per estimator whatever the number
 * of backends (they consume the same noise), a backend's own row only where its scores differ beyond
 * noise, and its speed in a column of its own. Columns no cell has are left out.
 */
export function suiteTable(results: BenchResults, cells: readonly CellResult[]): string[] {
  const completed = cells.filter((cell): cell is CompletedCell => cell.state === 'completed');
  const hasGradient = completed.some((cell) => gradientScores(cell.metrics));
  const hasTraining = completed.some((cell) => trainingResult(cell.metrics));
  const hasTiming = completed.some((cell) => cell.metrics.nsPerEstimate !== undefined);
  const hasStepTime = completed.some((cell) => cell.metrics.msPerTrainingStep !== undefined);
  const metricNames = [...new Set(completed.flatMap((cell) => Object.keys(cell.metrics.trainingMetrics ?? {})))];
  const backends = backendsOf(completed);
  const suffix = (mode: string) => (backends.length > 1 ? ` ${mode}` : '');
  const header = [
    'estimator', 'backend',
    ...(hasGradient ? ['bias ± SE', 'rel. bias', 'variance ± SE', 'MSE ± SE', 'cosine'] : []),
    ...(hasTiming ? backends.map(({ mode }) => `ns/estimate ± MAD${suffix(mode)}`) : []),
    ...(hasTraining ? ['final loss ± SE'] : []),
    ...(hasStepTime ? backends.map(({ mode }) => `ms/training step ± MAD${suffix(mode)}`) : []),
    ...metricNames.map((name) => `${trainingMetricInfo(name).label} ± SE`),
  ];
  const rows = foldedRows(results, completed).map(({ label, cell, backends: backendText, speed }) => {
    const m = cell.metrics;
    const g = gradientScores(m);
    const t = trainingResult(m);
    const time = (read: (other: CompletedCell) => [number | undefined, number | undefined]) => backends.map(({ backend }) => {
      const other = speed.get(backend);
      return other ? plusMinus(...read(other)) : '-';
    });
    return [
      label, backendText,
      ...(hasGradient
        ? g
          ? [plusMinus(g.bias, g.biasStdErr), formatNumber(g.relativeBias), plusMinus(g.variance, varianceStdErr(g, cell.samples)), plusMinus(g.mse, mseStdErr(g, cell.samples)), formatNumber(g.cosine)]
          : ['-', '-', '-', '-', '-']
        : []),
      ...(hasTiming ? time((other) => [other.metrics.nsPerEstimate, other.metrics.nsPerEstimateMad]) : []),
      ...(hasTraining ? [t ? plusMinus(t.finalLoss, t.finalLossStdErr) : '-'] : []),
      ...(hasStepTime ? time((other) => [other.metrics.msPerTrainingStep, other.metrics.msPerTrainingStepMad]) : []),
      ...metricNames.map((name) => formatTrainingMetric(name, m.trainingMetrics?.[name]?.final, m.trainingMetrics?.[name]?.finalStdErr)),
    ];
  });
  return markdownTable(header, rows);
}

/** Cells that did not complete, with their reasons. */
export function failedCellLines(results: BenchResults, cells: readonly CellResult[]): string[] {
  return cells.filter((cell) => cell.state !== 'completed')
    .map((cell) => `- ${cell.suite} / ${estimatorLabel(results, cell)} / ${cell.backend}: ${cell.state}${'error' in cell ? `: ${cell.error}` : ''}`);
}

/** Where the reference gradient of a suite's cells came from, or that there is none. */
function referenceLine(cells: readonly CellResult[]): string {
  const kinds = new Set<string>();
  const monteCarlo: number[] = [];
  for (const cell of cells) {
    if (cell.state !== 'completed') continue;
    const g = gradientScores(cell.metrics);
    if (!g) continue;
    kinds.add(g.referenceKind);
    if (g.referenceStdErr !== undefined) monteCarlo.push(g.referenceStdErr);
  }
  if (kinds.size === 0) return 'No reference gradient: bias, variance and MSE are not scored for this suite.';
  const spread = monteCarlo.length > 0 ? ` (Monte Carlo standard error up to ${formatNumber(Math.max(...monteCarlo), 2)})` : '';
  return `Reference gradient: ${[...kinds].join(', ')}${spread}.`;
}

function suiteLines(results: BenchResults, variant: SuiteVariant): string[] {
  const failed = failedCellLines(results, variant.cells);
  const params = variant.cells[0]?.suiteParams ?? {};
  return [
    `### ${variant.title}`, '',
    `Parameters: ${Object.entries(params).map(([key, value]) => `${key} = ${value}`).join(', ') || 'none'}; N = ${results.config.samples} single-sample estimates per cell. ${referenceLine(variant.cells)}`, '',
    ...suiteTable(results, variant.cells), '',
    ...(failed.length > 0 ? ['Not completed:', '', ...failed, ''] : []),
    ...verdictLines(results, variant),
  ];
}

function chartLines(results: BenchResults): string[] {
  return ['## Charts', '', ...planCharts(results).flatMap(({ definition, specs, skipped }) => [
    `### ${definition.title}`, '',
    ...specs.flatMap((spec) => [`![${spec.title}](${spec.file})`, '', spec.caption, '']),
    ...skipped.map((note) => `_${note}._\n`),
    ...(specs.length === 0 && skipped.length === 0 ? [`_Not drawn: no data in results.json. To get it, ${definition.howToGet}._`, ''] : []),
  ])];
}

/** The whole report; `extraSections` (for example a baseline comparison) go after the results. */
export function renderMarkdownReport(results: BenchResults, extraSections: readonly string[] = []): string {
  return [
    '# estibench report', '',
    `Run of ${results.createdAt} (${results.run.state}): ${results.cells.filter((cell) => cell.state === 'completed').length} of ${results.cells.length} cells completed. ` +
      'Bias is ‖E[ĝ] − ∇‖₂ with the standard error of the mean gradient; variance is the trace of the covariance of one estimate; MSE = variance + bias². ' +
      'Uncertainties are ±1 standard error (variance: ≈ variance·√(2/(N−1))); timings are medians ± median absolute deviation. ' +
      'Backends consume the same noise: one row stands for every backend that agrees within noise, with each backend\'s speed in its own column. ' +
      `${rankingLegend}`, '',
    ...environmentLines(results), '',
    ...configurationLines(results), '',
    '## Results', '',
    ...suiteVariants(results).flatMap((variant) => suiteLines(results, variant)),
    ...(results.run.missingCells.length > 0 ? ['### Planned cells without a result', '', ...results.run.missingCells.map((label) => `- ${label}`), ''] : []),
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
