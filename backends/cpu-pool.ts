import { Worker } from 'node:worker_threads';
import { Rng } from '../harness/rng.js';

/** One slice of a call handed to a thread: chunks [firstChunk, endChunk). */
export interface ChunkJob {
  readonly kind: 'estimate' | 'pilot';
  readonly logits: Float64Array;
  readonly probabilities: Float64Array;
  readonly baseline: Float64Array;
  readonly seeds: Uint32Array;
  readonly firstChunk: number;
  readonly endChunk: number;
  readonly count: number;
  readonly step: number;
}

interface Reply {
  readonly id: number;
  readonly out?: Float64Array;
  readonly error?: string;
}

/** Worker program: rebuilds the RNG class and the cell's loops from source, then serves jobs. */
function workerProgram(): string {
  return `
    const { parentPort, workerData } = require('node:worker_threads');
    const Rng = (${Rng.toString()});
    const loops = new Function('Rng', workerData.source)(Rng);
    parentPort.on('message', (job) => {
      try {
        const out = new Float64Array((job.endChunk - job.firstChunk) * 2 * workerData.dim);
        loops[job.kind](job.logits, job.probabilities, job.baseline, job.seeds, job.firstChunk, job.endChunk, job.count, out, job.step);
        parentPort.postMessage({ id: job.id, out }, [out.buffer]);
      } catch (error) {
        parentPort.postMessage({ id: job.id, error: String((error && error.message) || error) });
      }
    });`;
}

/** A fixed set of worker threads running one cell's compiled loops. */
export class CpuWorkerPool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, { resolve: (out: Float64Array) => void; reject: (error: Error) => void }>();
  private nextJobId = 0;

  constructor(source: string, dim: number, threads: number) {
    this.workers = Array.from({ length: threads }, () => {
      const worker = new Worker(workerProgram(), { eval: true, workerData: { source, dim } });
      worker.unref();
      worker.on('message', (reply: Reply) => {
        const waiter = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        if (!waiter) return;
        if (reply.out) waiter.resolve(reply.out);
        else waiter.reject(new Error(reply.error ?? 'worker returned nothing'));
      });
      worker.on('error', (error) => {
        for (const waiter of this.pending.values()) waiter.reject(error);
        this.pending.clear();
      });
      return worker;
    });
  }

  get size(): number {
    return this.workers.length;
  }

  /** Runs the jobs, one per worker (jobs.length <= size), and returns their outputs in job order. */
  run(jobs: readonly ChunkJob[]): Promise<Float64Array[]> {
    return Promise.all(
      jobs.map(
        (job, index) =>
          new Promise<Float64Array>((resolve, reject) => {
            const id = this.nextJobId++;
            this.pending.set(id, { resolve, reject });
            this.workers[index].postMessage({ ...job, id });
          }),
      ),
    );
  }

  terminate(): void {
    for (const worker of this.workers) void worker.terminate();
  }
}
