/**
 * A grid run as a user runs it, in real child processes: interrupted with SIGINT halfway and resumed,
 * and split into 3 shards and merged; both must give the cells of one uninterrupted run, number for number.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readResults, runCli, startBench, storeLines, waitFor, withoutWallTime } from '../support/run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'estibench-grid-'));
/**
 * 10 cells (ste-sigmoid, gumbel-softmax at three temperatures, additive-noise; two seeds), each a few
 * tenth of a second on one CPU thread, so that a signal lands halfway. Every number but the wall-clock
 * times (training-step times; batches are not timed) is reproducible, and compared.
 */
const grid = [
  '--suite', 'bernoulli-toy', '--backend', 'cpu', '--threads', '1', '--estimator', 'ste-sigmoid,gumbel-softmax,additive-noise', '--set', 'gumbel-softmax.tau=0.25,0.5,1',
  '--seed', '1,2', '--set', 'dim=32', '--samples', '60000', '--steps', '30', '--timing-iterations', '0', '--no-report',
];
const cellCount = 10;
const cellLines = (dir: string) => storeLines(dir).filter((line) => line.kind === 'cell');

describe('a grid run', () => {
  const reference = join(work, 'uninterrupted');
  beforeAll(() => {
    const run = runCli('bench', [...grid, '--out', reference]);
    expect(run.code, run.stderr).toBe(0);
  });

  it('plans one cell per grid point with its own parameters and a distinct key', () => {
    const { cells, run } = readResults(reference);
    expect(run).toMatchObject({ state: 'complete', plannedCells: cellCount, resumedCells: 0 });
    expect(cells).toHaveLength(cellCount);
    expect(new Set(cells.map((cell) => cell.key)).size).toBe(cellCount);
    const gumbel = cells.filter((cell) => cell.estimator === 'gumbel-softmax');
    expect(gumbel.map((cell) => `${cell.estimatorParams.tau}/${cell.seed}`)).toEqual(['0.25/1', '0.25/2', '0.5/1', '0.5/2', '1/1', '1/2']);
  });

  it('interrupted by SIGINT halfway, exits 130 with the finished cells written, and --resume recomputes none of them', async () => {
    const out = join(work, 'interrupted');
    const first = startBench([...grid, '--out', out]);
    await waitFor(() => cellLines(out).length >= 3 || first.child.exitCode !== null, 'three finished cells');
    expect(first.child.exitCode, 'the run finished before it could be interrupted').toBeNull();
    first.child.kill('SIGINT');
    const stopped = await first.finished;
    expect(stopped.code, stopped.stderr).toBe(130);
    const lastLine = stopped.stderr.trim().split('\n').at(-1);
    expect(lastLine).toMatch(/^estibench: interrupted by SIGINT: \d+ of 10 cells done .*--resume/);

    const partial = readResults(out);
    const done = cellLines(out).length;
    expect(done).toBeGreaterThanOrEqual(3);
    expect(done).toBeLessThan(cellCount);
    expect(partial.run).toMatchObject({ state: 'interrupted', interruptedBy: 'SIGINT', plannedCells: cellCount });
    expect(partial.cells).toHaveLength(done);
    expect(partial.run.missingCells).toHaveLength(cellCount - done);
    const before = readFileSync(join(out, 'cells.jsonl'), 'utf8');

    const resumed = runCli('bench', [...grid, '--out', out, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`planned ${cellCount} cells; ${done} already done in this directory, ${cellCount - done} to run`);
    // The finished cells stay as they were written, and every cell appears exactly once.
    expect(readFileSync(join(out, 'cells.jsonl'), 'utf8').startsWith(before)).toBe(true);
    const keys = cellLines(out).map((line) => line.result!.key);
    expect(keys).toHaveLength(cellCount);
    expect(new Set(keys).size).toBe(cellCount);
    const complete = readResults(out);
    expect(complete.run).toMatchObject({ state: 'complete', resumedCells: done, missingCells: [] });
    expect(complete.cells.map(withoutWallTime)).toEqual(readResults(reference).cells.map(withoutWallTime));
  });

  it('refuses --resume with other options, with one line and exit 2', () => {
    const out = join(work, 'interrupted');
    const run = runCli('bench', [...grid, '--out', out, '--resume', '--samples', '1000']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/--resume: .*cells.jsonl is from another configuration \(samples differ/);
  });

  it('run as 3 shards and merged, equals the unsharded run cell for cell', () => {
    const dirs = [1, 2, 3].map((index) => join(work, `shard-${index}`));
    for (const [index, dir] of dirs.entries()) {
      const run = runCli('bench', [...grid, '--shard', `${index + 1}/3`, '--out', dir]);
      expect(run.code, run.stderr).toBe(0);
    }
    const shards = dirs.map(readResults);
    // Disjoint, together the whole plan, and balanced: these 10 cells cost about the same each.
    const shardKeys = shards.flatMap((shard) => shard.cells.map((cell) => cell.key));
    expect(new Set(shardKeys).size).toBe(cellCount);
    expect(shards.map((shard) => shard.cells.length).sort()).toEqual([3, 3, 4]);

    // A shard killed before it wrote results.json (SIGKILL, a lost machine) still merges from its cells.jsonl.
    rmSync(join(dirs[1], 'results.json'));
    const merged = join(work, 'merged');
    const merge = runCli('report', ['--merge', ...[...dirs].reverse(), '--out', merged]);
    expect(merge.code, merge.stderr).toBe(0);
    expect(merge.stderr).toContain('merged 3 runs: all 10 planned cells present');
    const result = readResults(merged);
    expect(result.run).toMatchObject({ state: 'complete', plannedCells: cellCount, missingCells: [] });
    expect(result.run.mergedFrom?.map((source) => `${source.shard?.index} ${source.state}`)).toEqual(['3 complete', '2 interrupted', '1 complete']);
    expect(result.cells.map(withoutWallTime)).toEqual(readResults(reference).cells.map(withoutWallTime));
    expect(readFileSync(join(merged, 'report.md'), 'utf8')).toContain('merged shard 1/3');

    const partial = runCli('report', ['--merge', dirs[0], dirs[2], '--out', join(work, 'merged-partial')]);
    expect(partial.code).toBe(1);
    expect(partial.stderr).toMatch(/of 10 planned cells are missing \(exit status 1\): bernoulli-toy \/ /);
  });

  it('refuses to merge runs of different configurations', () => {
    const other = join(work, 'other');
    expect(runCli('bench', ['--suite', 'bernoulli-toy', '--backend', 'cpu', '--estimator', 'ste-sigmoid', '--samples', '2000', '--steps', '0', '--timing-iterations', '0', '--no-report', '--out', other]).code).toBe(0);
    const run = runCli('report', ['--merge', reference, other, '--out', join(work, 'never')]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/cannot merge .*: their configurations differ \(estimators differ/);
  });
});
