/**
 * Reports of cells without gradient scores (a suite with no reference gradient) or without training
 * (`--steps 0`), and of runs on two backends: every reporter copes, and the ranking ranks estimators.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseResults } from '../../harness/results-file.js';
import type { BenchResults, CellResult } from '../../core/types.js';
import { planCharts } from '../../reports/charts/index.js';
import { compareResults } from '../../reports/compare.js';
import { renderConsoleTable } from '../../reports/console-table.js';
import { renderMarkdownReport } from '../../reports/markdown.js';
import { suiteVariants } from '../../reports/cells.js';
import { rankingLine } from '../../reports/ranking.js';
import { renderSummary } from '../../reports/summary.js';
import { suiteVerdict } from '../../reports/verdict/verdict.js';

const fixture = parseResults(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'results.json'), 'utf8'), 'fixture');
const gradientFields = ['exactGradient', 'meanGradient', 'varianceByUnit', 'bias', 'biasStdErr', 'relativeBias', 'variance', 'mse', 'cosine', 'referenceKind', 'referenceStdErr'];
const trainingFields = ['finalLoss', 'finalLossStdErr', 'lossCurve', 'trainingSeeds'];

/** The fixture with `fields` removed from the metrics of the cells `which` picks. */
function without(fields: readonly string[], which: (cell: CellResult, index: number) => boolean = () => true): BenchResults {
  const copy = structuredClone(fixture) as BenchResults & { cells: CellResult[] };
  copy.cells.forEach((cell, index) => {
    if (cell.state !== 'completed' || !which(cell, index)) return;
    for (const field of fields) delete (cell.metrics as unknown as Record<string, unknown>)[field];
  });
  return copy;
}

/** Every reporter's output for these results (charts planned, not rendered). */
/** The verdict's ranking lines of the (only) suite setting. */
function rankingLines(results: BenchResults): string[] {
  return suiteVerdict(results, suiteVariants(results)[0]).rankings.flatMap(rankingLine);
}

function renderAll(results: BenchResults) {
  return {
    table: renderConsoleTable(results),
    markdown: renderMarkdownReport(results),
    summary: renderSummary(results),
    charts: planCharts(results).flatMap(({ specs }) => specs.map((spec) => spec.file)),
    comparison: compareResults(results, results),
  };
}

describe('reports of cells without some scores', () => {
  it('leave out bias, variance and MSE when no cell has a reference gradient, and say so', () => {
    const { table, markdown, summary, charts, comparison } = renderAll(without(gradientFields));
    expect(table).toMatch(/ste-identity\s+cpu:fused-js\s+-\s+-\s+-/);
    expect(markdown).toContain('No reference gradient: bias, variance and MSE are not scored for this suite.');
    expect(markdown).not.toContain('| bias ± SE |');
    expect(markdown).not.toContain('**lowest MSE');
    expect(markdown).not.toContain('Pareto set over');
    expect(markdown).toContain('**lowest final loss after 20 steps**');
    expect(summary).toContain('**fastest (time per estimate)**');
    expect(charts).not.toContain('bias-variance-bernoulli-toy.png');
    expect(charts).toContain('training-bernoulli-toy.png');
    expect(comparison.changes).toEqual([]);
  });

  it('show - for the cells that lack them when others have them', () => {
    const mixed = without(gradientFields, (_, index) => index === 0);
    const { markdown } = renderAll(mixed);
    expect(markdown).toContain('| bias ± SE |');
    expect(markdown).toMatch(/\| ste-identity \| cpu:fused-js \| - \| - \| - \| - \| - \|/);
    const ranking = rankingLines(mixed).filter((line) => /lowest MSE/.test(line));
    expect(ranking).not.toEqual([]);
    expect(ranking.join('\n')).not.toContain('ste-identity');
  });

  it('without training (--steps 0) rank no final loss and draw no training curves', () => {
    const results = without(trainingFields);
    const { table, markdown, charts } = renderAll(results);
    expect(markdown).not.toContain('lowest final loss');
    expect(markdown).not.toContain('final loss ± SE');
    expect(charts).not.toContain('training-bernoulli-toy.png');
    expect(table.split('\n')[2]).toMatch(/\s-$/);
  });
});

describe('the ranking with two backends', () => {
  /** The fixture's cells again as a second backend, with `change` applied to its metrics. */
  function twoBackends(change: (metrics: Record<string, number>, cell: CellResult) => void = () => {}): BenchResults {
    const copy = structuredClone(fixture) as BenchResults & { cells: CellResult[] };
    const second = structuredClone(copy.cells).map((cell) => ({ ...cell, backend: 'gpu', backendMode: 'gpu:headlessgl', key: `${cell.key}-gpu` }));
    for (const cell of second) if (cell.state === 'completed') change(cell.metrics as unknown as Record<string, number>, cell);
    copy.cells = copy.cells.flatMap((cell, index) => [cell, second[index]]);
    return { ...copy, config: { ...copy.config, backends: ['cpu', 'gpu'] } };
  }

  it('names each estimator once when the backends agree, and the backend only for speed', () => {
    const results = twoBackends((metrics) => { metrics.nsPerEstimate *= 5; });
    const lines = rankingLines(results);
    const mse = lines.find((line) => line.includes('lowest MSE per estimate'))!;
    expect(mse).not.toMatch(/cpu|gpu/);
    for (const estimator of ['ste-identity', 'ste-sigmoid', 'bengio-unbiased', 'additive-noise', 'gumbel-softmax']) {
      expect(mse.split(estimator)).toHaveLength(2);
    }
    expect(lines.filter((line) => line.startsWith('- **fastest')).map((line) => line.split('**')[1])).toEqual([
      'fastest on cpu:fused-js (time per estimate)', 'fastest on gpu:headlessgl (time per estimate)',
    ]);
    const { table, markdown } = renderAll(results);
    // One row per estimator, both backends named on it, each backend's speed in its own column.
    expect(table.split('\n').filter((line) => line.includes('ste-sigmoid'))).toHaveLength(1);
    expect(table).toMatch(/ns\/est cpu:fused-js\s+ns\/est gpu:headlessgl/);
    expect(markdown).toMatch(/\| ste-sigmoid \| cpu:fused-js, gpu:headlessgl \|/);
  });

  it('shows a backend difference beyond noise', () => {
    const results = twoBackends((metrics, cell) => {
      if (cell.estimator === 'gumbel-softmax') metrics.bias += 100 * metrics.biasStdErr;
    });
    const { markdown, table } = renderAll(results);
    expect(markdown).toContain('Backends disagree beyond noise for gumbel-softmax (gpu: bias)');
    expect(markdown).toMatch(/\| gumbel-softmax \| gpu:headlessgl \(differs: bias\) \|/);
    expect(table.split('\n').filter((line) => line.includes('gumbel-softmax'))).toHaveLength(2);
    const scatter = planCharts(results).find(({ definition }) => definition.id === 'bias-variance')!.specs[0];
    const labels = (scatter.configuration.data.datasets as Array<{ label: string }>).map((dataset) => dataset.label);
    expect(labels).toEqual(['ste-identity', 'ste-sigmoid', 'bengio-unbiased', 'additive-noise', 'gumbel-softmax', 'gumbel-softmax (gpu)']);
  });
});
