/** Running the built command lines (`npm test` builds first) as real child processes. */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { BenchResults, CellResult } from '../../core/types.js';

/** What a finished command left: exit status, standard output and standard error. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `dist/scripts/<script>.js` with `args` to completion. */
export function runCli(script: 'bench' | 'report' | 'check' | 'peer-categorical' | 'peer-bernoulli', args: readonly string[], timeoutMs = 300_000): CliRun {
  const run = spawnSync(process.execPath, [`dist/scripts/${script}.js`, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The contract for bad input: exit code 2, nothing on standard output, one line on standard error matching `message`. */
export function expectUsageError(run: CliRun, message: RegExp): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(message);
}

/** Starts `npm run bench` in the background; `finished` resolves when it exits. */
export function startBench(args: readonly string[]) {
  const child = spawn(process.execPath, ['dist/scripts/bench.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const finished = new Promise<CliRun>((resolve) => child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? -1 : null), stdout, stderr })));
  return { child, finished, stderr: () => stderr };
}

/** Waits until `condition` holds, polling; rejects after `timeoutMs` with `what`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The results.json in `dir`. */
export function readResults(dir: string): BenchResults {
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as BenchResults;
}

/** The lines of `dir/cells.jsonl`, parsed (a line being written is skipped). */
export function storeLines(dir: string): Array<{ kind: string; result?: { key: string } }> {
  let text: string;
  try {
    text = readFileSync(join(dir, 'cells.jsonl'), 'utf8');
  } catch {
    return [];
  }
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean).map((line) => JSON.parse(line) as { kind: string });
}

/** Wall-clock measurements: the only parts of a cell that differ between runs of the same plan. */
const timingFields = ['nsPerEstimate', 'nsPerEstimateMad', 'timedBatches', 'timedBatchSize', 'msPerTrainingStep', 'msPerTrainingStepMad'];

/** A cell as every run of the same plan must reproduce it: everything but its wall-clock times. */
export function withoutWallTime(cell: CellResult): unknown {
  const { elapsedMs: _elapsedMs, ...rest } = cell;
  if (rest.state !== 'completed') return rest;
  return { ...rest, metrics: Object.fromEntries(Object.entries(rest.metrics).filter(([name]) => !timingFields.includes(name))) };
}

/** Whether a process with this id exists. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every process below `root` (children, grandchildren...), with its name, from /proc (Linux). */
export function descendants(root: number): Array<{ pid: number; name: string }> {
  const processes = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).flatMap((entry) => {
    try {
      // /proc/PID/stat: pid (comm) state ppid ...; comm may hold spaces, so split after its closing bracket.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return [{ pid: Number(entry), ppid, name }];
    } catch {
      return [];
    }
  });
  const found: Array<{ pid: number; name: string }> = [];
  const visit = (parent: number) => {
    for (const child of processes.filter((candidate) => candidate.ppid === parent)) {
      found.push({ pid: child.pid, name: child.name });
      visit(child.pid);
    }
  };
  visit(root);
  return found;
}
