import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseResults } from '../../harness/results-file.js';
import type { BenchResults, CellResult } from '../../core/types.js';
import { compareResults, incompatibility } from '../../reports/compare.js';

const fixturePath = join(import.meta.dirname, '..', 'fixtures', 'results.json');
/** The version 1 fixture, upgraded as `npm run report` reads it. */
const fixture = parseResults(readFileSync(fixturePath, 'utf8'), 'fixture');
const work = mkdtempSync(join(tmpdir(), 'estibench-compare-'));

/** A copy of the fixture with one cell's metrics changed. */
function doctored(estimator: string, change: (metrics: Record<string, number>) => void): BenchResults {
  const copy = structuredClone(fixture) as BenchResults & { cells: CellResult[] };
  const cell = copy.cells.find((candidate) => candidate.estimator === estimator && candidate.state === 'completed')!;
  change((cell as unknown as { metrics: Record<string, number> }).metrics);
  return copy;
}

function writeJson(name: string, value: unknown): string {
  const path = join(work, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

/** The built report CLI; built here when missing so the file runs on its own too. */
function report(args: string[]) {
  const run = spawnSync(process.execPath, ['dist/scripts/report.js', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('comparison against a baseline', () => {
  it('finds nothing when a run is compared with itself', () => {
    const comparison = compareResults(fixture, fixture);
    expect(comparison.changes).toEqual([]);
    expect(comparison.comparedCells).toBe(fixture.cells.length);
  });

  it('flags a variance far outside its noise as a regression of that estimator and score', () => {
    const baseline = doctored('ste-sigmoid', (metrics) => { metrics.variance /= 10; });
    const { regressions } = compareResults(fixture, baseline);
    expect(regressions.map((change) => `${change.estimator} ${change.score}`)).toContain('ste-sigmoid variance');
    expect(regressions.every((change) => change.estimator === 'ste-sigmoid')).toBe(true);
  });

  it('ignores a change within k standard errors, and calls a drop an improvement', () => {
    const cell = fixture.cells.find((candidate) => candidate.estimator === 'gumbel-softmax' && candidate.state === 'completed')!;
    const metrics = (cell as Extract<CellResult, { state: 'completed' }>).metrics;
    const noisy = doctored('gumbel-softmax', (m) => { m.bias += metrics.biasStdErr!; });
    expect(compareResults(fixture, noisy).changes).toEqual([]);
    const better = compareResults(fixture, doctored('gumbel-softmax', (m) => { m.finalLoss += 1; }));
    expect(better.changes.map((change) => [change.score, change.verdict])).toEqual([['finalLoss', 'improvement']]);
  });

  it('counts a cell that completed in the baseline and errors now as a regression of its state', () => {
    const current = structuredClone(fixture) as BenchResults & { cells: CellResult[] };
    const index = current.cells.findIndex((cell) => cell.estimator === 'ste-sigmoid');
    const { metrics: _metrics, ...identity } = current.cells[index] as Extract<CellResult, { state: 'completed' }>;
    current.cells[index] = { ...identity, state: 'errored', error: 'mean gradient is NaN at unit 0' };
    const { regressions } = compareResults(current, fixture);
    expect(regressions).toEqual([expect.objectContaining({ estimator: 'ste-sigmoid', score: 'state', error: 'mean gradient is NaN at unit 0' })]);
  });

  it('flags timing beyond the tolerance only when it also exceeds the batches\' spread (median absolute deviation)', () => {
    const slower = (madFactor: number) => doctored('ste-identity', (m) => {
      m.nsPerEstimate *= 1.8;
      m.nsPerEstimateMad = m.nsPerEstimate * madFactor;
    });
    const quiet = compareResults(slower(0.01), fixture);
    expect(quiet.regressions.map((change) => `${change.estimator} ${change.score}`)).toEqual(['ste-identity nsPerEstimate']);
    // The same slow-down, but batches that scatter by more than it: noise, not a regression.
    expect(compareResults(slower(0.5), fixture).changes).toEqual([]);
  });

  it('refuses results of other configurations with the reason', () => {
    expect(incompatibility(fixture, fixture)).toBeNull();
    expect(incompatibility(fixture, { ...fixture, config: { ...fixture.config, samples: 999 } })).toMatch(/samples differ/);
    expect(incompatibility(fixture, { ...fixture, config: { ...fixture.config, seeds: [7] } })).toMatch(/seed/);
    const params = { ...fixture.config.suiteParams, 'bernoulli-toy': { ...fixture.config.suiteParams['bernoulli-toy'], dim: [3] } };
    expect(incompatibility(fixture, { ...fixture, config: { ...fixture.config, suiteParams: params } })).toMatch(/suite parameters differ/);
  });
});

describe('npm run report', () => {
  beforeAll(() => {
    if (!existsSync('dist/scripts/report.js')) execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  });

  it('re-renders report.md and the charts from results.json', () => {
    const out = join(work, 'rendered');
    const run = report(['--in', fixturePath, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const rendered = readFileSync(join(out, 'report.md'), 'utf8');
    expect(rendered).toContain('bias-variance-bernoulli-toy.png');
    expect(rendered).toContain('Pareto set over (MSE, time per estimate)');
    expect(existsSync(join(out, 'bias-variance-bernoulli-toy.png'))).toBe(true);
    // report.html beside it, self-contained: Chart.js and the charts inlined, nothing fetched.
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('"file":"bias-variance-bernoulli-toy.png"');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    // results.csv is rebuilt too, one row per cell, for a file written before it existed.
    expect(readFileSync(join(out, 'results.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(fixture.cells.length + 1);
  });

  it('--fail-on-regression exits 1 naming the estimator and score when the baseline had a much lower variance', () => {
    const baseline = writeJson('baseline-low-variance.json', doctored('ste-sigmoid', (metrics) => { metrics.variance /= 10; }));
    const out = join(work, 'regression');
    const run = report(['--in', fixturePath, '--baseline', baseline, '--fail-on-regression', '--out', out]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/REGRESSION bernoulli-toy \/ ste-sigmoid \/ cpu variance/);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/REGRESSION \| bernoulli-toy \/ ste-sigmoid \/ cpu \| variance/);
    const withoutFlag = report(['--in', fixturePath, '--baseline', baseline, '--out', out]);
    expect(withoutFlag.code).toBe(0);
  });

  it('--fail-on-regression exits 1 when a cell that completed in the baseline errors now', () => {
    const current = structuredClone(JSON.parse(readFileSync(fixturePath, 'utf8'))) as { cells: Array<Record<string, unknown>> };
    const cell = current.cells.find((candidate) => candidate.estimator === 'gumbel-softmax')!;
    delete cell.metrics;
    Object.assign(cell, { state: 'errored', error: 'training diverged: final loss NaN' });
    const run = report(['--in', writeJson('now-errored.json', current), '--baseline', fixturePath, '--fail-on-regression', '--out', join(work, 'state')]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('REGRESSION bernoulli-toy / gumbel-softmax / cpu state: completed -> errored (training diverged: final loss NaN)');
  });

  it('refuses an output directory it cannot create, at once (it used to spin forever on /proc/x)', () => {
    const run = report(['--in', fixturePath, '--out', '/proc/estibench-x']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/--out '\/proc\/estibench-x' cannot be used: ENOENT/);
  });

  it.each([
    [['--in', 'no/such/results.json'], /cannot read --in 'no\/such\/results.json': no such file/],
    [['--in', 'package.json'], /is not an estibench results.json/],
    [['--in', 'NOT_JSON'], /is not valid JSON/],
    [['--in', fixturePath, '--noise-k', '0'], /--noise-k must be a positive number/],
    [['--in', fixturePath, '--baseline', 'SAMPLES'], /cannot compare with baseline .*samples differ/],
    [['--in', 'SCHEMA_3'], /has results schema version 3; this estibench reads versions 1 and 2/],
    [['--in', 'BAD_STATE'], /cell 2 has state "finished", not one of completed, errored, unsupported/],
    [['--in', 'BAD_METRIC'], /cell 0 has metrics.bias = "small", not a number/],
    [['--in', 'NO_METRICS'], /cell 1 is completed but has no metrics object/],
    [['--merge', 'no/such/dir', '--out', 'x'], /cannot read --merge 'no\/such\/dir': no such file/],
    [[], /missing --in/],
  ])('%j exits 2 with one line', (args, message) => {
    const baseline = writeJson('baseline-other-samples.json', { ...fixture, config: { ...fixture.config, samples: 123 } });
    const notJson = join(work, 'not-json.txt');
    writeFileSync(notJson, 'not { json');
    const raw = JSON.parse(readFileSync(fixturePath, 'utf8')) as { cells: Array<Record<string, unknown>> };
    const damaged = (name: string, change: (copy: typeof raw) => void) => {
      const copy = structuredClone(raw);
      change(copy);
      return writeJson(name, copy);
    };
    const substitutes: Record<string, string> = {
      SAMPLES: baseline,
      NOT_JSON: notJson,
      SCHEMA_3: writeJson('schema-3.json', { ...raw, schemaVersion: 3 }),
      BAD_STATE: damaged('bad-state.json', (copy) => { copy.cells[2].state = 'finished'; }),
      BAD_METRIC: damaged('bad-metric.json', (copy) => { (copy.cells[0].metrics as Record<string, unknown>).bias = 'small'; }),
      NO_METRICS: damaged('no-metrics.json', (copy) => { delete copy.cells[1].metrics; }),
    };
    const run = report([...args.map((arg) => substitutes[arg] ?? arg), '--out', join(work, 'never')]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
