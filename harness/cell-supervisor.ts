/**
 * Cells in supervised worker processes: the main process plans, supervises and writes; a worker
 * (`cell-worker.ts`) loads the plug-ins, starts each backend once and computes one unit at a time.
 * A unit that runs past its time limit, a worker over its memory limit (the V8 heap limit, and a
 * watchdog on its resident set), a worker that crashes (a native abort in onnxruntime or headless-gl)
 * or never answers: the unit fails with one line naming the limit, the worker is killed, a fresh one
 * takes the next unit, and the run goes on. Processes rather than worker threads, because only a
 * process can be stopped in the middle of a blocking native call (an onnxruntime Loop, opening a
 * FIFO) or survive a native crash. A unit's numbers depend on its key only (its random streams are
 * derived from the seed, suite and estimator), never on which worker ran it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../core/errors.js';
import type { BackendReport, BenchConfig } from '../core/types.js';
import { cellLimitDefaults, type CellLimits } from './cell-limits.js';
import type { WorkRecord } from './cell-store.js';
import { guardAgainstOrphan } from './orphan-guard.js';
import type { PlannedWork } from './plan.js';
import { failedRecord, type WorkExecutor } from './work-executor.js';
import type { SupervisorMessage, WorkerMessage } from './worker-protocol.js';

/** What the supervisor needs beyond the limits. */
export interface SupervisorOptions {
  readonly limits: CellLimits;
  /** Plug-in modules every worker loads (`--plugin`), as given. */
  readonly pluginPaths: readonly string[];
  /** Seconds loading the plug-ins may take. */
  readonly pluginLoadSeconds: number;
  /** The time limit of one unit in seconds. */
  readonly timeLimitSeconds: (work: PlannedWork) => number;
  /** Where worker output goes (default: this process's standard error). */
  readonly stderr?: NodeJS.WritableStream;
  /** The worker script (default: the built `cell-worker.js` beside this module). */
  readonly workerScript?: string;
}

/** Milliseconds between looks at a worker's resident set. */
const memoryPollMs = 200;
/** Milliseconds a closing worker gets to dispose its backends before it is killed. */
const closeGraceMs = 3000;
/** Lines of a worker's standard error kept to explain a crash. */
const keptErrorLines = 20;

/** Resident set of a process in MiB, from /proc (Linux); null where that cannot be read. */
function residentMiB(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Why a worker stopped, as the supervisor saw it. */
type Ending = { readonly kind: 'message'; readonly message: WorkerMessage } | { readonly kind: 'exit'; readonly code: number | null; readonly signal: NodeJS.Signals | null }
  | { readonly kind: 'memory'; readonly mib: number } | { readonly kind: 'timeout' };

/** A live worker and the means to wait for its next message (or its end). */
interface Worker {
  readonly child: ChildProcess;
  /** The next message, or how the worker ended; `timeoutMs` bounds the wait. */
  next(timeoutMs: number): Promise<Ending>;
  /** The worker's last lines on standard error. */
  errorTail(): string[];
  kill(): void;
  readonly exited: Promise<void>;
}

function startWorker(options: SupervisorOptions): Worker {
  const script = options.workerScript ?? fileURLToPath(new URL('./cell-worker.js', import.meta.url));
  const child = fork(script, [], {
    execArgv: [`--max-old-space-size=${options.limits.memoryMiB}`],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  const guard = child.pid !== undefined ? guardAgainstOrphan(child.pid) : null;
  const inbox: Ending[] = [];
  let waiting: ((ending: Ending) => void) | null = null;
  const deliver = (ending: Ending) => {
    if (waiting) {
      const resolve = waiting;
      waiting = null;
      resolve(ending);
    } else inbox.push(ending);
  };
  const tail: string[] = [];
  let fatal = false;
  let partial = '';
  const stderr = options.stderr ?? process.stderr;
  child.stderr?.on('data', (data: Buffer) => {
    const lines = (partial + data.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      tail.push(line);
      if (tail.length > keptErrorLines) tail.shift();
      // V8's report of an exhausted heap is pages long: the supervisor says it in one line instead.
      if (/FATAL ERROR|Last few GCs|heap out of memory/.test(line)) fatal = true;
      if (!fatal) stderr.write(`${line}\n`);
    }
  });
  child.on('message', (message: WorkerMessage) => deliver({ kind: 'message', message }));
  let resolveExited: () => void = () => {};
  const exited = new Promise<void>((resolve) => (resolveExited = resolve));
  child.on('exit', (code, signal) => {
    guard?.release();
    clearInterval(watch);
    deliver({ kind: 'exit', code, signal });
    resolveExited();
  });
  child.on('error', () => {}); // a failed fork ends in 'exit'
  const watch = setInterval(() => {
    const mib = child.pid === undefined ? null : residentMiB(child.pid);
    if (mib !== null && mib > options.limits.memoryMiB) deliver({ kind: 'memory', mib });
  }, memoryPollMs);
  watch.unref();
  return {
    child,
    next(timeoutMs) {
      const queued = inbox.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve) => {
        const timer = setTimeout(() => deliver({ kind: 'timeout' }), timeoutMs);
        waiting = (ending) => {
          clearTimeout(timer);
          resolve(ending);
        };
      });
    },
    errorTail: () => [...tail, partial].filter((line) => line.trim() !== ''),
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    exited,
  };
}

/** One line saying how a worker ended, for an ending that is not the message awaited. */
function describeEnding(ending: Ending, worker: Worker, limits: CellLimits, limitSeconds: number, what: string): string {
  const heapExhausted = worker.errorTail().some((line) => /heap out of memory|Reached heap limit/.test(line));
  switch (ending.kind) {
    case 'timeout':
      return `${what} exceeded the time limit of ${limitSeconds} s (--cell-timeout); its worker was stopped`;
    case 'memory':
      return `${what} exceeded the memory limit of ${limits.memoryMiB} MiB (--cell-memory; resident ${Math.round(ending.mib)} MiB); its worker was stopped`;
    case 'exit': {
      if (heapExhausted) return `${what} exceeded the memory limit of ${limits.memoryMiB} MiB (--cell-memory; JavaScript heap exhausted); its worker was stopped`;
      const how = ending.signal ? `signal ${ending.signal}` : `exit code ${ending.code}`;
      const last = worker.errorTail().at(-1);
      return `${what} crashed its worker (${how})${last ? `: ${last.trim().slice(0, 300)}` : ''}`;
    }
    case 'message':
      return `${what}: the worker sent '${ending.message.type}' out of turn (a bug of estibench)`;
  }
}

/** The supervised executor, and `start` to bring up its first worker (loading the plug-ins) before the run. */
export interface CellSupervisor extends WorkExecutor {
  /**
   * Starts a worker and loads the plug-ins in it, under the plug-in time and memory limits. Rejects
   * with a UsageError (one line) when a plug-in fails to load, hangs or crashes the worker.
   */
  start(): Promise<void>;
  /** The run's configuration, needed before the first unit (the CLI resolves it after `start`). */
  configure(config: BenchConfig): void;
}

/** Creates the supervisor; nothing starts until `start` or the first unit. */
export function createCellSupervisor(options: SupervisorOptions): CellSupervisor {
  const { limits } = options;
  let worker: Worker | null = null;
  let config: BenchConfig | null = null;
  const live = new Set<Worker>();
  // As this process exits however it exits (process.exit after a second signal included): no worker outlives it.
  const killAll = () => {
    for (const each of live) each.kill();
  };
  process.on('exit', killAll);
  const retire = (stopped: Worker) => {
    stopped.kill();
    if (worker === stopped) worker = null;
  };

  /** A worker that has loaded the plug-ins, or a one-line reason why none could be had. */
  async function readyWorker(): Promise<Worker> {
    if (worker) return worker;
    const fresh = startWorker(options);
    live.add(fresh);
    void fresh.exited.then(() => live.delete(fresh));
    const plugins = options.pluginPaths.map((path) => `'${path}'`).join(', ');
    const booted = await fresh.next(cellLimitDefaults.startSeconds * 1000);
    if (booted.kind !== 'message' || booted.message.type !== 'booted') {
      retire(fresh);
      throw new Error(describeEnding(booted, fresh, limits, cellLimitDefaults.startSeconds, 'starting a cell worker'));
    }
    fresh.child.send({ type: 'load-plugins', pluginPaths: options.pluginPaths } satisfies SupervisorMessage);
    const loaded = await fresh.next(options.pluginLoadSeconds * 1000);
    if (loaded.kind === 'message' && loaded.message.type === 'ready') {
      worker = fresh;
      return fresh;
    }
    retire(fresh);
    if (loaded.kind === 'message' && loaded.message.type === 'plugins-failed') throw new UsageError(loaded.message.message);
    const what = `loading plug-in ${plugins}`;
    if (loaded.kind === 'timeout') {
      throw new UsageError(`${what} did not finish within ${options.pluginLoadSeconds} s (--cell-timeout): a top-level await that never resolves, or a loop that never ends; fix the plug-in`);
    }
    throw new UsageError(describeEnding(loaded, fresh, limits, options.pluginLoadSeconds, what));
  }

  return {
    async start() {
      await readyWorker();
    },
    configure(resolved) {
      config = resolved;
    },
    async run(work: PlannedWork, onBackend: (report: BackendReport) => void): Promise<WorkRecord> {
      if (!config) throw new Error('createCellSupervisor: configure(config) before the first unit');
      const begin = performance.now();
      const fail = (message: string) => failedRecord(work, config!, message, performance.now() - begin);
      let current: Worker;
      try {
        current = await readyWorker();
      } catch (error) {
        return fail(error instanceof Error ? error.message : String(error));
      }
      current.child.send({ type: 'run', work, config } satisfies SupervisorMessage);
      const limitSeconds = options.timeLimitSeconds(work);
      // Until the backend is up, the start-up limit applies; then the unit's own.
      let deadline = performance.now() + cellLimitDefaults.startSeconds * 1000;
      let limitNow: number = cellLimitDefaults.startSeconds;
      let what = `starting backend ${work.backend}`;
      for (;;) {
        const ending = await current.next(Math.max(0, deadline - performance.now()));
        if (ending.kind === 'message') {
          const message = ending.message;
          if (message.type === 'backend') {
            onBackend(message.report);
            continue;
          }
          if (message.type === 'computing') {
            deadline = performance.now() + limitSeconds * 1000;
            limitNow = limitSeconds;
            what = 'the cell';
            continue;
          }
          if (message.type === 'done') return message.record;
        }
        retire(current);
        return fail(describeEnding(ending, current, limits, limitNow, what));
      }
    },
    async close(abandoned) {
      const open = [...live];
      for (const each of open) {
        if (abandoned || each !== worker || !each.child.connected) each.kill();
        else each.child.send({ type: 'close' } satisfies SupervisorMessage);
      }
      worker = null;
      await Promise.all(open.map((each) => new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          each.kill();
          resolve();
        }, closeGraceMs);
        void each.exited.then(() => {
          clearTimeout(timer);
          resolve();
        });
      })));
      killAll();
      process.removeListener('exit', killAll);
    },
  };
}
