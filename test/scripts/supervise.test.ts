/**
 * Cells that cannot take a run down (issue 16), in real child processes: a kernel that never returns,
 * a plug-in module that never finishes loading and an ONNX model that never finishes running each
 * fail their own cell (or are refused) within the limit; a signal stops a run within a second and
 * leaves no process behind; two runs cannot share an --out; write failures and damaged inputs are
 * one line each.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { descendants, isRunning, readResults, runCli, startBench, storeLines, waitFor, withoutWallTime } from '../support/run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'estibench-supervise-'));
const quick = ['--suite', 'bernoulli-toy', '--backend', 'cpu', '--threads', '1', '--samples', '2000', '--steps', '2', '--timing-iterations', '1', '--no-report'];
const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';
const cellLines = (dir: string) => storeLines(dir).filter((line) => line.kind === 'cell');

function plugin(name: string, source: string): string {
  const path = join(work, `${name}.mjs`);
  writeFileSync(path, source);
  return path;
}
const estimatorFields = `title: 'test', citation: 'none', family: 'score-function', claimsUnbiased: false, params: {}, noise: ['uniform'],
  nodeKinds: ['bernoulli'], evaluations: 1, needs: { objective: false, objectiveGradient: false }`;
/** An estimator whose gradient kernel never returns. */
const spin = plugin('spin', `export const spin = { id: 'spin', ${estimatorFields},
  kernels: { forward: function sampleForward(theta, p, u) { return u < p ? 1 : 0; }, gradient: function spinForever() { while (true) {} return 0; } } };`);
/** A module whose top-level await never resolves. */
const neverLoads = plugin('never-loads', 'await new Promise(() => {});\nexport const nothing = {};\n');
/** A kernel suite whose exact gradient is `wrong` (one entry short, or NaN). */
function suiteWithGradient(id: string, gradient: string): string {
  return plugin(id, `export const suite = { id: '${id}', title: 't', description: 'd', nodeKind: 'bernoulli', params: {},
    create() { return { dim: 4, nodeKind: 'bernoulli', initialLogits: new Float64Array(4),
      objective: { value: function squareSum(h, row, dim) { let s = 0; for (let i = 0; i < dim; i++) s += h[row][i] * h[row][i]; return s; },
        gradient: function squareGradient(h, row, element) { return 2 * h[row][element]; }, constants: {}, separable: true },
      exactGradient(logits) { return ${gradient}; }, exactLoss() { return 0; } }; } };`);
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('supervised cells', () => {
  it('fails a kernel that never returns within --cell-timeout, and completes the other cells', () => {
    const out = join(work, 'spin');
    const run = runCli('bench', ['--plugin', spin, '--estimator', 'ste-sigmoid,spin,gumbel-softmax', ...quick, '--cell-timeout', '3', '--out', out], 120_000);
    expect(run.code, run.stderr).toBe(1);
    expect(lastLine(run.stderr)).toBe('estibench: 3 cells: 2 completed, 0 unsupported, 1 errored (exit status 1)');
    const cells = readResults(out).cells;
    expect(cells.map((cell) => `${cell.estimator} ${cell.state}`)).toEqual(['ste-sigmoid completed', 'spin errored', 'gumbel-softmax completed']);
    expect(cells[1].state === 'errored' && cells[1].error).toBe('the cell exceeded the time limit of 3 s (--cell-timeout); its worker was stopped');
    // gumbel-softmax ran on the replacement worker: its numbers are those of a run without the killed worker.
    const alone = join(work, 'alone');
    expect(runCli('bench', ['--estimator', 'gumbel-softmax', ...quick, '--out', alone], 60_000).code).toBe(0);
    expect(withoutWallTime(cells[2])).toEqual(withoutWallTime(readResults(alone).cells[0]));
  });

  it('fails a cell that grows past --cell-memory, and completes the other cells', () => {
    const hog = plugin('memory-hog', `export const suite = { id: 'memory-hog', title: 't', description: 'd', nodeKind: 'bernoulli', params: {},
      create() { const kept = []; for (;;) kept.push(new Float64Array(1 << 20).fill(1)); } };`);
    const out = join(work, 'memory');
    const run = runCli('bench', [...quick, '--plugin', hog, '--suite', 'memory-hog,bernoulli-toy', '--estimator', 'ste-sigmoid', '--cell-memory', '400', '--out', out], 120_000);
    expect(run.code, run.stderr).toBe(1);
    const cells = readResults(out).cells;
    expect(cells.find((cell) => cell.suite === 'bernoulli-toy')!.state).toBe('completed');
    const hogCell = cells.find((cell) => cell.suite === 'memory-hog')!;
    expect(hogCell.state === 'errored' && hogCell.error).toMatch(/^the cell exceeded the memory limit of 400 MiB \(--cell-memory; /);
  });

  it('refuses a plug-in module that never finishes loading, with one line and exit 2', () => {
    const run = runCli('bench', ['--plugin', neverLoads, ...quick, '--cell-timeout', '2', '--out', join(work, 'never-loads')], 60_000);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/loading plug-in '.*never-loads\.mjs' did not finish within 2 s \(--cell-timeout\)/);
    expect(existsSync(join(work, 'never-loads'))).toBe(false);
  });

  it('fails an ONNX model whose Loop never ends within --cell-timeout, and completes the other cells', () => {
    const out = join(work, 'loop');
    const model = join(import.meta.dirname, '..', 'fixtures', 'onnx', 'endless-loop.onnx');
    const run = runCli('bench', [...quick, '--suite', 'onnx,bernoulli-toy', '--set', `onnx.model=${model}`, '--estimator', 'reinforce-loo', '--cell-timeout', '4', '--out', out], 120_000);
    expect(run.code, run.stderr).toBe(1);
    const cells = readResults(out).cells;
    expect(cells.map((cell) => `${cell.suite} ${cell.state}`).sort()).toEqual(['bernoulli-toy completed', 'onnx errored']);
    const onnx = cells.find((cell) => cell.suite === 'onnx')!;
    expect(onnx.state === 'errored' && onnx.error).toBe('the cell exceeded the time limit of 4 s (--cell-timeout); its worker was stopped');
  });

  it('stops within a second on SIGINT during a cell that never returns: exit 130, finished cells kept, no process left', async () => {
    const out = join(work, 'interrupted');
    const run = startBench(['--plugin', spin, '--estimator', 'ste-sigmoid,spin', ...quick, '--out', out]);
    await waitFor(() => cellLines(out).length >= 1 || run.child.exitCode !== null, 'the first cell', 60_000);
    // The spinning cell is next; give it time to start spinning.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = descendants(run.child.pid!);
    expect(started.map(({ name }) => name)).toContain('node');
    const sent = performance.now();
    run.child.kill('SIGINT');
    const stopped = await run.finished;
    const seconds = (performance.now() - sent) / 1000;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(seconds, 'seconds from SIGINT to exit').toBeLessThan(1);
    expect(lastLine(stopped.stderr)).toMatch(/^estibench: interrupted by SIGINT: 1 of 2 cells done/);
    expect(readResults(out).cells.map((cell) => cell.estimator)).toEqual(['ste-sigmoid']);
    expect(readResults(out).run.missingCells).toEqual(['bernoulli-toy / spin / cpu']);
    for (const { pid, name } of started) await waitFor(() => !isRunning(pid), `${name} ${pid} to stop`, 3000);
    expect(existsSync(join(out, '.estibench.lock'))).toBe(false);
  });
});

describe('a locked --out', () => {
  it('refuses a second run on the same --out while the first runs, naming it (exit 2)', async () => {
    const out = join(work, 'locked');
    const first = startBench(['--plugin', spin, '--estimator', 'spin', ...quick, '--cell-timeout', '60', '--out', out]);
    await waitFor(() => existsSync(join(out, 'cells.jsonl')) || first.child.exitCode !== null, 'the first run to start', 60_000);
    const second = runCli('bench', [...quick, '--estimator', 'ste-sigmoid', '--out', out], 60_000);
    first.child.kill('SIGTERM');
    expect((await first.finished).code).toBe(143);
    expect(second.code, second.stderr).toBe(2);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toContain(`is in use by another estibench run: pid ${first.child.pid} on ${hostname()}, started `);
  });

  it('takes over a stale lock (its owner gone) and says so', () => {
    const out = join(work, 'stale');
    mkdirSync(out, { recursive: true });
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const pid = Number(gone.stdout.trim());
    writeFileSync(join(out, '.estibench.lock'), JSON.stringify({ pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', command: 'estibench' }));
    const run = runCli('bench', [...quick, '--estimator', 'ste-sigmoid', '--out', out], 60_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`took over a stale lock of pid ${pid} on ${hostname()}, started 2026-01-01T00:00:00.000Z`);
    expect(existsSync(join(out, '.estibench.lock'))).toBe(false);
  });
});

describe('write failures', () => {
  it('a directory where results.json goes (EISDIR): one line naming it, exit 3, the cells kept and resumable', () => {
    const out = join(work, 'eisdir');
    mkdirSync(join(out, 'results.json'), { recursive: true });
    const run = runCli('bench', [...quick, '--estimator', 'ste-sigmoid,gumbel-softmax', '--out', out], 60_000);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(lastLine(run.stderr)).toMatch(new RegExp(`^estibench: cannot write ${join(out, 'results.json')}: EISDIR, a directory is in the way: remove or rename it; the finished cells are kept in ${join(out, 'cells.jsonl')}: once fixed, rerun the same command with --resume$`));
    expect(cellLines(out)).toHaveLength(2);
    rmSync(join(out, 'results.json'), { recursive: true });
    const resumed = runCli('bench', [...quick, '--estimator', 'ste-sigmoid,gumbel-softmax', '--out', out, '--resume'], 60_000);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('2 already done in this directory, 0 to run');
  });

  it('an --out name too long (ENAMETOOLONG) is one line, exit 2, before anything runs', () => {
    const run = runCli('bench', [...quick, '--out', join(work, 'x'.repeat(300))], 30_000);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/cannot be used: ENAMETOOLONG/);
  });

  it('a suite id of 260 characters gives chart file names within 255 bytes', () => {
    const id = `long-${'x'.repeat(255)}`;
    const suite = plugin('long-id', readFileSync(suiteWithGradient('long-id-source', 'logits.map(() => 0)'), 'utf8').replace("'long-id-source'", `'${id}'`));
    const out = join(work, 'long-id');
    const run = runCli('bench', [...quick.filter((arg) => arg !== '--no-report'), '--plugin', suite, '--suite', id, '--estimator', 'ste-sigmoid', '--out', out], 120_000);
    expect(run.code, run.stderr).toBe(0);
    const charts = readdirSync(out).filter((name) => name.endsWith('.png'));
    expect(charts.length).toBeGreaterThan(0);
    for (const name of charts) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
  });

  it('a full disk (ENOSPC, a small tmpfs) gives one line, exit 3, and keeps the cells that were written', (context) => {
    const mountPoint = join(work, 'tiny');
    mkdirSync(mountPoint);
    const mounted = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', mountPoint]).status === 0;
    if (!mounted) {
      context.skip('needs root and mount -t tmpfs to make a small file system');
      return;
    }
    try {
      const out = join(mountPoint, 'out');
      const run = runCli('bench', [...quick, '--estimator', 'ste-sigmoid,gumbel-softmax,additive-noise,ste-identity,ste-relu', '--out', out], 60_000);
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(lastLine(run.stderr)).toMatch(/^estibench: cannot write .*: ENOSPC, no space left on the device: free some space or choose another --out; the finished cells are kept in .*cells\.jsonl: once fixed, rerun the same command with --resume$/);
      // Every whole line is a cell that finished; --resume reads them (a cut-off last line is dropped).
      const kept = cellLines(out).length;
      const copy = join(work, 'from-tiny');
      mkdirSync(copy);
      writeFileSync(join(copy, 'cells.jsonl'), readFileSync(join(out, 'cells.jsonl')));
      const resumed = runCli('bench', [...quick, '--estimator', 'ste-sigmoid,gumbel-softmax,additive-noise,ste-identity,ste-relu', '--out', copy, '--resume'], 60_000);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain(`${kept} already done in this directory`);
    } finally {
      spawnSync('umount', [mountPoint]);
    }
  });
});

describe('damaged inputs', () => {
  const out = join(work, 'damaged');
  const args = [...quick, '--estimator', 'ste-sigmoid', '--out', out, '--resume'];
  const fresh = () => {
    rmSync(out, { recursive: true, force: true });
    expect(runCli('bench', args, 60_000).code).toBe(0);
    return readFileSync(join(out, 'cells.jsonl'), 'utf8').split('\n').filter(Boolean);
  };
  it.each([
    ['a line of an unknown kind', (lines: string[]) => [...lines, '{"kind":"mystery"}'], /line 4 has kind "mystery", not one of cell, logit-sweep, scaling, backend/],
    ['a cell without a key', (lines: string[]) => [...lines.slice(0, 2), lines[2].replace(/"key":"[^"]*",/, '')], /line 3 holds a cell that has no key/],
    ['a bias that is a string', (lines: string[]) => [...lines.slice(0, 2), lines[2].replace(/"bias":[^,]*,/, '"bias":"big",')], /line 3 holds a cell that has metrics.bias = "big", not a number/],
  ])('--resume refuses %s with one line naming the line (exit 2)', (_name, damage, message) => {
    const lines = fresh();
    writeFileSync(join(out, 'cells.jsonl'), `${damage(lines).join('\n')}\n`);
    const run = runCli('bench', args, 60_000);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });

  it.each([
    ['a loss curve that is a string', (results: Record<string, any>) => { results.cells[0].metrics.lossCurve = 'down'; }, /cell 0 has metrics.lossCurve that is not an object/],
    ['no env.backends', (results: Record<string, any>) => { delete results.env.backends; }, /env.backends is not a list/],
    ['a bias that is a string', (results: Record<string, any>) => { results.cells[0].metrics.bias = 'big'; }, /cell 0 has metrics.bias = "big", not a number/],
  ])('report refuses a results.json with %s, with one line and no file written (exit 2)', (_name, damage, message) => {
    fresh();
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    damage(results);
    const path = join(work, 'damaged-results.json');
    writeFileSync(path, JSON.stringify(results));
    const reportOut = join(work, 'damaged-report');
    const run = runCli('report', ['--in', path, '--out', reportOut], 60_000);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(existsSync(reportOut)).toBe(false);
  });

  it('fails a cell whose suite gives an exact gradient of the wrong length, or NaN', () => {
    const shortPlugin = suiteWithGradient('short-gradient', 'logits.slice(1)');
    const nanPlugin = suiteWithGradient('nan-gradient', 'logits.map(() => NaN)');
    const dir = join(work, 'bad-gradients');
    const run = runCli('bench', [...quick, '--plugin', `${shortPlugin},${nanPlugin}`, '--suite', 'short-gradient,nan-gradient,bernoulli-toy', '--estimator', 'ste-sigmoid', '--out', dir], 60_000);
    expect(run.code, run.stderr).toBe(1);
    const cells = readResults(dir).cells;
    const bySuite = (id: string) => cells.find((cell) => cell.suite === id)!;
    expect(bySuite('bernoulli-toy').state).toBe('completed');
    const short = bySuite('short-gradient');
    const nan = bySuite('nan-gradient');
    expect(short.state === 'errored' && short.error).toMatch(/reference gradient has 3 entries, not 4/);
    expect(nan.state === 'errored' && nan.error).toMatch(/reference gradient is NaN at entry 0/);
  });

  it('refuses a plug-in path that is a FIFO (exit 2), and fails the cell of a model path that is one', () => {
    const fifo = join(work, 'fifo');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return;
    const run = runCli('bench', [...quick, '--plugin', fifo, '--out', join(work, 'fifo-out')], 30_000);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/cannot load plug-in '.*fifo': it is a FIFO; give the path of a JavaScript module file/);
    const dir = join(work, 'fifo-model');
    const model = runCli('bench', [...quick.slice(2), '--suite', 'onnx', '--set', `onnx.model=${fifo}`, '--estimator', 'reinforce-loo', '--cell-timeout', '20', '--out', dir], 60_000);
    expect(model.code, model.stderr).toBe(1);
    const [cell] = readResults(dir).cells;
    expect(cell.suite).toBe('onnx');
    expect(cell.state === 'errored' && cell.error).toMatch(/model file '.*fifo' is a FIFO/);
  });
});

describe('flags', () => {
  it.each([['--resume=yes'], ['--resume=1'], ['--report=yes'], ['--no-resume=false']])('refuses %s with one line (exit 2)', (flag) => {
    const run = runCli('bench', [...quick, flag, '--out', join(work, 'never')], 30_000);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/takes no value other than true or false/);
  });

  it('an invalid --optimizer is one line', () => {
    const run = runCli('bench', [...quick, '--optimizer', 'adagrad', '--out', join(work, 'never')], 30_000);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/Invalid values: .*optimizer.*adagrad/);
  });

  it.each([
    [['--suite', 'categorical-toy', '--estimator', 'gumbel-softmax', '--samples', '10000000', '--set', 'dim=1000', '--set', 'classes=16'], /16 classes = 1\.60e\+11 element-estimates per cell, above the limit/],
    [['--suite', 'categorical-toy', '--estimator', 'gumbel-rao', '--samples', '10000000', '--set', 'dim=100', '--set', 'classes=10'], /11 noise draws per element \(conditional samples\) = 1\.10e\+11 element-estimates/],
  ])('the cost cap counts classes and conditional samples: %j is refused (exit 2)', (args, message) => {
    const run = runCli('bench', [...args, '--out', join(work, 'never')], 30_000);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });
});
