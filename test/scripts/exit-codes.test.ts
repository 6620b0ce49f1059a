/** Exit statuses that tell the truth, and bad input refused before anything is computed (one line, exit 2). */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRunning, readResults, runCli, startBench, storeLines, waitFor } from '../support/run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'estibench-exit-'));
const quick = ['--suite', 'bernoulli-toy', '--samples', '2000', '--steps', '2', '--timing-iterations', '1', '--no-report'];

/** Writes a plug-in module exporting `source` (JavaScript) and returns its path. */
function plugin(name: string, source: string): string {
  const path = join(work, `${name}.mjs`);
  writeFileSync(path, source);
  return path;
}

const estimatorFields = `title: 'test', citation: 'none', family: 'score-function', claimsUnbiased: false, params: {}, noise: ['uniform'],
  evaluations: 1, needs: { objective: false, objectiveGradient: false }`;
const sqrtOfMinusOne = plugin('sqrt-minus-one', `export const sqrtOfMinusOne = { id: 'sqrt-minus-one', nodeKinds: ['bernoulli'], ${estimatorFields},
  kernels: { forward: function sampleForward(theta, p, u) { return u < p ? 1 : 0; }, gradient: function sqrtOfMinusOneGradient() { return Math.sqrt(-1); } } };`);
const categoricalOnly = plugin('categorical-only', `export const categoricalOnly = { id: 'categorical-only', nodeKinds: ['categorical'], ${estimatorFields},
  kernels: { forward: function oneHotForward(p, u) { return u < p ? 1 : 0; }, gradient: function zeroGradient() { return 0; } } };`);

const lastLine = (text: string) => text.trim().split('\n').at(-1);

describe('npm run bench exit status', () => {
  it('is 1 when a cell errored (a kernel returning sqrt(-1), on both backends), with the count in the last line', () => {
    const out = join(work, 'errored');
    const run = runCli('bench', ['--plugin', sqrtOfMinusOne, '--estimator', 'sqrt-minus-one,ste-sigmoid', '--backend', 'cpu,gpu', ...quick, '--out', out]);
    expect(run.code, run.stderr).toBe(1);
    expect(lastLine(run.stderr)).toBe('estibench: 4 cells: 2 completed, 0 unsupported, 2 errored (exit status 1)');
    const failed = readResults(out).cells.filter((cell) => cell.state === 'errored');
    expect(failed.map((cell) => `${cell.estimator}/${cell.backend}`)).toEqual(['sqrt-minus-one/cpu', 'sqrt-minus-one/gpu']);
    for (const cell of failed) expect(cell.state === 'errored' && cell.error).toMatch(/mean gradient is NaN .*NaN or Inf/);
  });

  it('is 0 when every cell completed, the unsupported pairs left out', () => {
    const run = runCli('bench', ['--plugin', categoricalOnly, '--estimator', 'categorical-only,ste-identity', '--backend', 'cpu', ...quick, '--out', join(work, 'unsupported')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('left out 1 unsupported estimator × suite pair (see --list-unsupported');
    expect(lastLine(run.stderr)).toBe('estibench: 1 cells: 1 completed, 0 unsupported, 0 errored');
  });

  it('is 143 on SIGTERM, with the finished cells written and the Xvfb it started stopped', async () => {
    const out = join(work, 'terminated');
    const run = startBench(['--suite', 'bernoulli-toy', '--backend', 'gpu', '--estimator', 'ste-sigmoid,gumbel-softmax', '--set', 'tau=0.2:1:9', '--samples', '20000', '--steps', '20', '--timing-iterations', '2', '--out', out]);
    await waitFor(() => storeLines(out).filter((line) => line.kind === 'cell').length >= 2 || run.child.exitCode !== null, 'two finished cells');
    const xvfbPid = childProcesses(run.child.pid!, 'Xvfb')[0] ?? null;
    run.child.kill('SIGTERM');
    const stopped = await run.finished;
    expect(stopped.code, stopped.stderr).toBe(143);
    expect(lastLine(stopped.stderr)).toMatch(/^estibench: interrupted by SIGTERM: \d+ of 10 cells done/);
    expect(readResults(out).run).toMatchObject({ state: 'interrupted', interruptedBy: 'SIGTERM' });
    if (process.env.DISPLAY) return; // a display of the user's: estibench started no Xvfb
    expect(xvfbPid, 'the pid of the Xvfb estibench started').not.toBeNull();
    if (xvfbPid === null) return;
    await waitFor(() => !isRunning(xvfbPid), `Xvfb ${xvfbPid} to stop`, 5000);
  });
});

/** Process ids of the children of `parent` named `name`, from /proc (Linux). */
function childProcesses(parent: number, name: string): number[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).flatMap((entry) => {
    try {
      // /proc/PID/stat: pid (comm) state ppid ...; comm may hold spaces, so split after its closing bracket.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return comm === name && ppid === parent ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}


describe('bad input', () => {
  const aFile = join(work, 'a-file');
  writeFileSync(aFile, 'not a directory');
  const badPlugins = {
    missingField: plugin('missing-field', `export const noKernels = { id: 'no-kernels', nodeKinds: ['bernoulli'], ${estimatorFields} };`),
    invalidId: plugin('invalid-id', `export const badId = { id: 'Bad Id', nodeKinds: ['bernoulli'], ${estimatorFields}, kernels: { forward: function f() { return 0; }, gradient: function g0() { return 0; } } };`),
    reservedName: plugin('reserved-name', `export const clash = { id: 'clash', nodeKinds: ['bernoulli'], ${estimatorFields.replace('params: {}', "params: { step: { description: 'a slope', default: 1 } }")},
      kernels: { forward: function f() { return 0; }, gradient: function g0() { return 0; } } };`),
  };
  it.each([
    [['--estimator', ''], /^--estimator is empty/],
    [['--backend', ''], /^--backend is empty/],
    [['--out', ''], /^--out is empty/],
    [['--out='], /^--out is empty/],
    [['--estimator', ','], /^--estimator is empty/],
    [['--samples'], /Not enough arguments following: samples/],
    [['--set'], /Not enough arguments following: set/],
    [['--samples', '1000000000'], /--samples must be at most 100000000/],
    [['--suite', 'bernoulli-toy', '--samples', '10000000', '--set', 'dim=65536'], /element-estimates per cell, above the limit/],
    [['--set', 'tau=0.1:1'], /a range is start:stop:count/],
    [['--suite', 'bernoulli-toy', '--set', 'dim=1:1000:1000', '--set', 'tau=1:2:1000'], /the grid plans \d+ cells, more than 100000/],
    [['--shard', '0/3'], /--shard must be i\/n with 1 <= i <= n/],
    [['--threads', '300'], /--threads must be at most 256/],
    [['--seed', '1,x'], /--seed must be whole numbers >= 0, comma-separated, got 'x'/],
    [['--out', '/proc/estibench-x'], /--out '\/proc\/estibench-x' cannot be used: ENOENT/],
    [['--out', join(aFile, 'sub')], /cannot be used: ENOTDIR/],
    [['--plugin', badPlugins.missingField], /estimator 'no-kernels': 'kernels' missing/],
    [['--plugin', badPlugins.invalidId], /estimator 'Bad Id': 'id' must be a kebab-case id/],
    [['--plugin', badPlugins.reservedName], /estimator 'clash': 'params' has parameter 'step', a name the harness binds to kernel arguments/],
  ])('%j exits 2 with one line, before computing anything', (args, message) => {
    const out = args.includes('--out') || args.some((arg) => arg.startsWith('--out=')) ? [] : ['--out', join(work, 'never-written')];
    const run = runCli('bench', [...args, ...out], 30_000);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr.replace(/^estibench: /, '')).toMatch(message);
    expect(existsSync(join(work, 'never-written'))).toBe(false);
  });
});
