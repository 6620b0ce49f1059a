import { Worker } from 'node:worker_threads';
import { noiseChunkSamples, Rng } from '../core/rng.js';
import { chunkStride, type ChunkLoop } from './cpu-loops.js';

/**
 * One call of a cell's loop shared by the calling thread and the workers. Its chunks are claimed one
 * at a time from `control` (next chunk to claim, chunks finished, failure flag), so a thread that is
 * busy elsewhere (or woke up late) simply does fewer chunks, and nobody waits for a thread that has
 * not started: the caller waits only for chunks that were claimed. Each chunk writes its own slice of
 * `out`, so the result is the same whichever thread ran it.
 */
export interface SharedCall {
  readonly kind: 'estimate' | 'pilot';
  readonly logits: Float64Array;
  readonly probabilities: Float64Array;
  readonly baseline: Float64Array;
  readonly seeds: Uint32Array;
  readonly count: number;
  readonly step: number;
  /** The estimator's state values at this call (see ChunkLoop). */
  readonly state: Float64Array;
  /** Per-chunk sums (see ChunkLoop), on a SharedArrayBuffer. */
  readonly out: Float64Array;
  /** [next chunk to claim, chunks finished, 1 when a worker failed], on a SharedArrayBuffer. */
  readonly control: Int32Array;
}

/** A SharedCall's output and control arrays, freshly allocated (a late worker of an earlier call must find nothing to claim here). */
export function sharedCallArrays(chunks: number, dim: number): { out: Float64Array; control: Int32Array } {
  return {
    out: new Float64Array(new SharedArrayBuffer(chunks * chunkStride(dim) * Float64Array.BYTES_PER_ELEMENT)),
    control: new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT)),
  };
}

/**
 * Claims and runs chunks until none is left. Self-contained (no outer references): workers rebuild
 * it from its source text, so the calling thread and the workers run the same protocol.
 */
export function claimChunks(loop: ChunkLoop, call: SharedCall): void {
  const chunks = call.seeds.length;
  for (;;) {
    const chunk = Atomics.add(call.control, 0, 1);
    if (chunk >= chunks) return;
    try {
      loop(call.logits, call.probabilities, call.baseline, call.seeds, chunk, chunk + 1, call.count, call.out, call.step, call.state);
    } finally {
      if (Atomics.add(call.control, 1, 1) + 1 === chunks) Atomics.notify(call.control, 1);
    }
  }
}

/** Resolves once every chunk of the call is finished, without blocking this thread's event loop. */
export async function allChunksFinished(control: Int32Array, chunks: number): Promise<void> {
  // Atomics.waitAsync (Node >= 16) is missing from TypeScript's ES2022 library.
  const waitAsync = (Atomics as unknown as {
    waitAsync(array: Int32Array, index: number, value: number): { async: boolean; value: Promise<unknown> | string };
  }).waitAsync;
  for (;;) {
    const finished = Atomics.load(control, 1);
    if (finished >= chunks) return;
    const waiting = waitAsync(control, 1, finished);
    if (waiting.async) await waiting.value;
  }
}

/** Worker program: rebuilds the RNG class, the claiming protocol and the cell's loops from source, then serves calls. */
function workerProgram(): string {
  return `
    const { parentPort, workerData } = require('node:worker_threads');
    const Rng = (${Rng.toString()});
    ${claimChunks.toString()}
    const loops = new Function('Rng', workerData.source)(Rng);
    // Warm-up on a throw-away call, so that V8 has optimised the loops before the first real chunk is
    // claimed (a cold worker holding the last chunk would keep the caller waiting). Calls that arrive
    // meanwhile are not held up: the caller claims their chunks itself.
    const dim = workerData.dim;
    const stride = workerData.chunkStride;
    const warmUpCount = Math.min(workerData.chunkSamples, Math.ceil(65536 / dim));
    for (const kind of ['estimate', 'pilot']) {
      if (!loops[kind]) continue;
      const zeros = new Float64Array(dim);
      try {
        claimChunks(loops[kind], { logits: zeros, probabilities: zeros.map(() => 0.5), baseline: zeros, seeds: new Uint32Array([1]),
          count: warmUpCount, step: 0, state: Float64Array.from(workerData.initialState), out: new Float64Array(stride), control: new Int32Array(3) });
      } catch {
        // A kernel that fails on these made-up inputs fails (or not) on the real ones, where it is reported.
      }
    }
    parentPort.on('message', (call) => {
      try {
        claimChunks(loops[call.kind], call);
      } catch (error) {
        Atomics.store(call.control, 2, 1);
        parentPort.postMessage({ id: call.id, error: String((error && error.message) || error) });
      }
    });`;
}

/** Worker threads that help the calling thread run one cell's compiled loops. */
export class CpuWorkerPool {
  private readonly workers: Worker[];
  /** Rejecters of the calls in flight, by call id. */
  private readonly inFlight = new Map<number, (error: Error) => void>();
  private nextCallId = 0;

  /**
   * @param source the cell's generated loops (see cpuLoopSource)
   * @param dim elements per sample row
   * @param helpers worker threads besides the calling thread
   * @param initialState the estimator's initial state values, for the workers' warm-up call
   */
  constructor(source: string, dim: number, helpers: number, initialState: Float64Array = new Float64Array(0)) {
    this.workers = Array.from({ length: helpers }, () => {
      const worker = new Worker(workerProgram(), { eval: true, workerData: { source, dim, chunkSamples: noiseChunkSamples, chunkStride: chunkStride(dim), initialState: Array.from(initialState) } });
      worker.unref();
      worker.on('message', (reply: { id: number; error: string }) => this.inFlight.get(reply.id)?.(new Error(reply.error)));
      const failAll = (error: Error) => {
        for (const reject of this.inFlight.values()) reject(error);
      };
      worker.on('error', failAll);
      worker.on('exit', (code) => failAll(new Error(`a CPU worker thread exited (code ${code})`)));
      return worker;
    });
  }

  /**
   * Runs the call on the workers and on this thread together; resolves when every chunk is done.
   * `loop` is this thread's compiled copy of the call's loop.
   */
  async run(call: SharedCall, loop: ChunkLoop): Promise<void> {
    const id = this.nextCallId++;
    const failure = new Promise<never>((_, reject) => this.inFlight.set(id, reject));
    failure.catch(() => {}); // observed below; keeps an unawaited rejection from being reported twice
    // Referenced while the call runs: the wait below is on shared memory, which alone keeps no process alive.
    for (const worker of this.workers) worker.ref();
    try {
      for (const worker of this.workers) worker.postMessage({ ...call, id });
      claimChunks(loop, call);
      await Promise.race([allChunksFinished(call.control, call.seeds.length), failure]);
      // A worker that failed still counted its chunk as finished: wait for its message.
      if (Atomics.load(call.control, 2) !== 0) await failure;
    } finally {
      this.inFlight.delete(id);
      for (const worker of this.workers) worker.unref();
    }
  }

  /** Stops the workers; a call still running fails rather than waiting forever. */
  terminate(): void {
    for (const reject of this.inFlight.values()) reject(new Error('the CPU backend was disposed while a call was running'));
    this.inFlight.clear();
    for (const worker of this.workers) {
      worker.removeAllListeners('exit');
      void worker.terminate();
    }
  }
}
