/** results.csv: one row per cell, flat columns, values as results.json has them, read back by an RFC 4180 parser written here. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseResults } from '../../harness/results-file.js';
import type { CellResult } from '../../core/types.js';
import { csvField, fixedColumns, renderResultsCsv } from '../../reports/results-csv.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const ties = parseResults(readFileSync(join(fixtures, 'results-ties.json'), 'utf8'), 'results-ties.json');
/** Schema version 1, written before this reporter existed. */
const old = parseResults(readFileSync(join(fixtures, 'results.json'), 'utf8'), 'results.json');

/** Rows of fields: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') { field += '"'; index++; } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') { row.push(field); field = ''; } else if (char === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else field += char;
  }
  return rows;
}

/** The CSV as one record per row, keyed by column. */
function records(text: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text);
  for (const row of rows) expect(row).toHaveLength(header.length);
  return rows.map((row) => Object.fromEntries(header.map((name, index) => [name, row[index]])));
}

describe('results.csv', () => {
  const rows = records(renderResultsCsv(ties));

  it('has one row per cell, in plan order, with the fixed columns first', () => {
    expect(rows).toHaveLength(ties.cells.length);
    expect(rows.map((row) => `${row.suite}/${row.estimator}/${row.backend}`)).toEqual(ties.cells.map((cell) => `${cell.suite}/${cell.estimator}/${cell.backend}`));
    expect(parseCsv(renderResultsCsv(ties))[0].slice(0, fixedColumns.length)).toEqual([...fixedColumns]);
  });

  it('gives every parameter and training metric a column of its own, empty where a cell has none', () => {
    const toy = rows.find((row) => row.suite === 'bernoulli-toy' && row.estimator === 'arm')!;
    expect(toy['suite.dim']).toBe('16');
    expect(toy['metric.testAccuracy']).toBe('');
    const mlp = rows.find((row) => row.suite === 'mnist-quantized-mlp' && row.estimator === 'ste-clipped-relu')!;
    const cell = ties.cells.find((candidate) => candidate.suite === 'mnist-quantized-mlp' && candidate.estimator === 'ste-clipped-relu') as Extract<CellResult, { state: 'completed' }>;
    expect(Number(mlp['metric.testAccuracy'])).toBe(cell.metrics.trainingMetrics!.testAccuracy.final);
    expect(Number(mlp['metric.testAccuracyStdErr'])).toBe(cell.metrics.trainingMetrics!.testAccuracy.finalStdErr);
    expect(mlp.bias).toBe('');
    expect(mlp.trainingSteps).toBe('20');
    // A file from before float32 training records no precision: it trained in float64.
    expect(cell.metrics.trainingSettings?.precision).toBeUndefined();
    expect(mlp.trainingPrecision).toBe('float64');
    expect(Object.keys(mlp).some((column) => column.startsWith('suite.') && mlp[column] !== '')).toBe(true);
  });

  it('carries the scores and their standard errors exactly, the derived ones by their definitions', () => {
    for (const cell of ties.cells) {
      if (cell.state !== 'completed' || cell.metrics.bias === undefined) continue;
      const row = rows.find((candidate) => candidate.key === cell.key)!;
      const m = cell.metrics as unknown as Record<string, number>;
      for (const name of ['bias', 'biasStdErr', 'variance', 'mse', 'nsPerEstimate', 'finalLoss', 'finalLossStdErr']) {
        if (m[name] !== undefined) expect(Number(row[name]), `${cell.key} ${name}`).toBe(m[name]);
      }
      const varianceStdErr = m.variance * Math.sqrt(2 / (cell.samples - 1));
      expect(Number(row.varianceStdErr)).toBeCloseTo(varianceStdErr, 12);
      expect(Number(row.mseStdErr)).toBeCloseTo(Math.sqrt(varianceStdErr ** 2 + (2 * m.bias * m.biasStdErr) ** 2), 12);
      expect(Number(row.evaluations)).toBe(cell.estimatorTraits!.evaluations);
    }
  });

  it('keeps failed cells with their error, quoted where it holds commas and quotes', () => {
    const errored = rows.find((row) => row.state === 'errored')!;
    expect(errored.error).toBe('mean gradient is NaN at unit 3, "float32 overflow"');
    expect(errored.mse).toBe('');
    expect(rows.filter((row) => row.state === 'unsupported')).toHaveLength(2);
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField(Number.NaN)).toBe('');
  });

  it('is written for results of schema version 1 too', () => {
    const oldRows = records(renderResultsCsv(old));
    expect(oldRows).toHaveLength(old.cells.length);
    expect(oldRows.map((row) => row.estimator)).toEqual(['ste-identity', 'ste-sigmoid', 'bengio-unbiased', 'additive-noise', 'gumbel-softmax']);
    expect(oldRows.every((row) => row.referenceKind === 'closed-form' && row['suite.dim'] === '16')).toBe(true);
  });
});
