import { Worker } from 'node:worker_threads';
import { noiseChunkSamples, Rng } from '../core/rng.js';
import { allChunksFinished } from './cpu-pool.js';

/**
 * One call of a hard node's task (its forward or backward pass over rows) shared by the calling thread
 * and the workers, chunk by chunk: chunk c is rows [c · noiseChunkSamples, (c + 1) · noiseChunkSamples),
 * the rows whose noise one seed of `chunkSeeds` draws. Chunks are claimed one at a time from `control`
 * (next chunk to claim, chunks finished, failure flag), as in cpu-pool.ts, and each writes only its own
 * rows, so the result is the same whichever thread ran it, and the same as one thread running them all.
 */
export interface RowChunkCall {
  /** Name of the task in the compiled source. */
  readonly task: string;
  /** The task's arrays by name; on SharedArrayBuffers when workers take part. */
  readonly arrays: Readonly<Record<string, Float64Array | Uint32Array>>;
  /** Rows in the call (the last chunk may be short) and the training step. */
  readonly rows: number;
  readonly step: number;
  /** [next chunk to claim, chunks finished, 1 when a worker failed], on a SharedArrayBuffer. */
  readonly control: Int32Array;
}

/** A task of a hard node's compiled source: runs rows [rowStart, rowEnd) of the call, chunk `chunk`. */
export type RowChunkTask = (call: RowChunkCall, chunk: number, rowStart: number, rowEnd: number) => void;

/**
 * Compiles a hard node's task source: a function body that receives the `Rng` class and returns its
 * tasks by name. The calling thread and the workers compile the same text.
 */
export function compileRowTasks(source: string): Record<string, RowChunkTask> {
  return new Function('Rng', source)(Rng) as Record<string, RowChunkTask>;
}

/** Chunks of a call of `rows` rows. */
export function rowChunks(rows: number): number {
  return Math.ceil(rows / noiseChunkSamples);
}

/**
 * Claims and runs chunks until none is left. Self-contained (no outer references but the argument
 * `chunkRows`): workers rebuild it from its source text.
 */
export function claimRowChunks(task: RowChunkTask, call: RowChunkCall, chunkRows: number): void {
  const chunks = Math.ceil(call.rows / chunkRows);
  for (;;) {
    const chunk = Atomics.add(call.control, 0, 1);
    if (chunk >= chunks) return;
    try {
      task(call, chunk, chunk * chunkRows, Math.min(call.rows, (chunk + 1) * chunkRows));
    } finally {
      if (Atomics.add(call.control, 1, 1) + 1 === chunks) Atomics.notify(call.control, 1);
    }
  }
}

/**
 * A Float64Array for a call's task: on shared memory when the call is `threaded` (`source` copied there,
 * unless it is shared already), else `source` itself or `length` zeros.
 */
export function taskArray(source: Float64Array | number, threaded: boolean): Float64Array {
  if (!threaded) return typeof source === 'number' ? new Float64Array(source) : source;
  if (typeof source !== 'number' && source.buffer instanceof SharedArrayBuffer) return source;
  const length = typeof source === 'number' ? source : source.length;
  const shared = new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
  if (typeof source !== 'number') shared.set(source);
  return shared;
}

/** Below this many numbers computed per call (noise draws and h values), waking workers costs about what they save. */
const minimumNumbersForThreads = 1 << 15;

/**
 * A hard node's compiled tasks and, once a call is large enough to pay for them, the worker threads
 * that share its calls (started on first use, stopped by `dispose`).
 */
export class RowTaskRunner {
  private readonly tasks: Record<string, RowChunkTask>;
  private pool: RowChunkPool | null = null;

  /** @param threads threads computing large calls, the calling thread included */
  constructor(private readonly source: string, readonly threads: number) {
    this.tasks = compileRowTasks(source);
  }

  /** Whether the source defines this task (a null one counts as absent). */
  has(task: string): boolean {
    return typeof this.tasks[task] === 'function';
  }

  /**
   * Whether a call of `rows` rows is worth sharing with workers: `drawsPerRow` noise numbers and
   * `hPerRow` h values computed per row, of `width` logits. Only calls that draw at least two noise
   * numbers per logit (k samples, conditional resamples) are shared. Measured on categorical-toy
   * (32 × 6 and 256 × 10, 8192 rows, two runs each, 2 threads against 1): reinforce-loo (k = 4) ran
   * 1.2–2.2× faster in those runs (though 1.75× slower at 256 × 10 in a third); gumbel-rao (M = 10) 1.4–1.6× faster at 32 × 6 but 1.26× slower at
   * 256 × 10 (1.8 GB of noise per call); the estimators drawing one number per logit anywhere between
   * 1.6× faster and 2.8× slower, gumbel-softmax slower in every run (their time goes largely to filling
   * fresh arrays, whose page faults the threads contend for).
   */
  threaded(rows: number, drawsPerRow: number, hPerRow: number, width: number): boolean {
    return this.threads > 1 && rowChunks(rows) >= 2 && drawsPerRow >= 2 * width && rows * (drawsPerRow + hPerRow) >= minimumNumbersForThreads;
  }

  /** Runs a task over every chunk of rows; `threaded` (see above) requires every array on shared memory. */
  async run(task: string, arrays: RowChunkCall['arrays'], rows: number, step: number, threaded: boolean): Promise<void> {
    if (!threaded) {
      claimRowChunks(this.tasks[task], { task, arrays, rows, step, control: new Int32Array(3) }, noiseChunkSamples);
      return;
    }
    this.pool ??= new RowChunkPool(this.source, this.threads - 1);
    await this.pool.run(this.tasks, task, arrays, rows, step);
  }

  dispose(): void {
    this.pool?.terminate();
    this.pool = null;
  }
}

/** Worker program: rebuilds the RNG class, the claiming protocol and the node's tasks from source, then serves calls. */
function workerProgram(): string {
  return `
    const { parentPort, workerData } = require('node:worker_threads');
    const Rng = (${Rng.toString()});
    ${claimRowChunks.toString()}
    const tasks = new Function('Rng', workerData.source)(Rng);
    parentPort.on('message', (call) => {
      try {
        claimRowChunks(tasks[call.task], call, workerData.chunkRows);
      } catch (error) {
        Atomics.store(call.control, 2, 1);
        parentPort.postMessage({ id: call.id, error: String((error && error.message) || error) });
      }
    });`;
}

/** Worker threads that help the calling thread run a hard node's tasks over chunks of rows. */
class RowChunkPool {
  private readonly workers: Worker[];
  /** Rejecters of the calls in flight, by call id. */
  private readonly inFlight = new Map<number, (error: Error) => void>();
  private nextCallId = 0;

  /**
   * @param source the node's task source (see `compileRowTasks`)
   * @param helpers worker threads besides the calling thread
   */
  constructor(source: string, helpers: number) {
    this.workers = Array.from({ length: helpers }, () => {
      const worker = new Worker(workerProgram(), { eval: true, workerData: { source, chunkRows: noiseChunkSamples } });
      worker.unref();
      worker.on('message', (reply: { id: number; error: string }) => this.inFlight.get(reply.id)?.(new Error(reply.error)));
      const failAll = (error: Error) => {
        for (const reject of this.inFlight.values()) reject(error);
      };
      worker.on('error', failAll);
      worker.on('exit', (code) => failAll(new Error(`a CPU hard-node worker thread exited (code ${code})`)));
      return worker;
    });
  }

  /**
   * Runs the task on the workers and on this thread together (`tasks` is this thread's compiled copy);
   * resolves when every chunk is done. Every array must be on shared memory (see `taskArray`).
   */
  async run(tasks: Record<string, RowChunkTask>, task: string, arrays: RowChunkCall['arrays'], rows: number, step: number): Promise<void> {
    const id = this.nextCallId++;
    const control = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
    const call: RowChunkCall = { task, arrays, rows, step, control };
    const failure = new Promise<never>((_, reject) => this.inFlight.set(id, reject));
    failure.catch(() => {}); // observed below; keeps an unawaited rejection from being reported twice
    // Referenced while the call runs: the wait below is on shared memory, which alone keeps no process alive.
    for (const worker of this.workers) worker.ref();
    try {
      for (const worker of this.workers) worker.postMessage({ ...call, id });
      claimRowChunks(tasks[task], call, noiseChunkSamples);
      await Promise.race([allChunksFinished(control, rowChunks(rows)), failure]);
      // A worker that failed still counted its chunk as finished: wait for its message.
      if (Atomics.load(control, 2) !== 0) await failure;
    } finally {
      this.inFlight.delete(id);
      for (const worker of this.workers) worker.unref();
    }
  }

  /** Stops the workers; a call still running fails rather than waiting forever. */
  terminate(): void {
    for (const reject of this.inFlight.values()) reject(new Error('the CPU hard node was disposed while a call was running'));
    this.inFlight.clear();
    for (const worker of this.workers) {
      worker.removeAllListeners('exit');
      void worker.terminate();
    }
  }
}
