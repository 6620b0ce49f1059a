import { availableParallelism } from 'node:os';
import { nodeProbabilities } from '../harness/node-kinds.js';
import { chunkSeeds, Rng } from '../harness/rng.js';
import type { BaselineSums, BatchMoments, CellRequest, ComputeBackend, PreparedCell } from './backend.js';
import { compileCpuLoops, cpuLoopSource, type CompiledLoops } from './cpu-loops.js';
import { CpuCategoricalNode } from './cpu-categorical-node.js';
import { CpuHardNode } from './cpu-hard-node.js';
import { createCpuTensorOps } from './cpu-ort-ops.js';
import { CpuWorkerPool, type ChunkJob } from './cpu-pool.js';

/** Below this many sample-elements per call, thread hand-off costs more than it saves. */
const minimumElementsForThreads = 1 << 16;

/** Options of the CPU backend. */
export interface CpuBackendOptions {
  /** Worker threads for large batches; 1 runs everything on the calling thread. Default: the cores available. */
  readonly threads?: number;
}

class CpuPreparedCell implements PreparedCell {
  private readonly source: string;
  private readonly loops: CompiledLoops;
  private pool: CpuWorkerPool | null = null;

  constructor(private readonly request: CellRequest, private readonly threads: number) {
    this.source = cpuLoopSource(request);
    this.loops = compileCpuLoops(this.source, Rng);
  }

  /** Per-chunk sums for the whole call, computed in this thread or split across the workers. */
  private async chunkSums(kind: ChunkJob['kind'], logits: Float64Array, baseline: Float64Array, count: number, rng: Rng, step: number): Promise<Float64Array> {
    const dim = this.request.problem.dim;
    const seeds = chunkSeeds(rng, count);
    const probabilities = nodeProbabilities(this.request.problem.nodeKind, logits);
    const threads = Math.min(this.threads, seeds.length);
    if (threads <= 1 || count * dim < minimumElementsForThreads) {
      const out = new Float64Array(seeds.length * 2 * dim);
      const loop = kind === 'estimate' ? this.loops.estimate : this.loops.pilot!;
      loop(logits, probabilities, baseline, seeds, 0, seeds.length, count, out, step);
      return out;
    }
    this.pool ??= new CpuWorkerPool(this.source, dim, this.threads);
    const jobs: ChunkJob[] = [];
    for (let worker = 0; worker < threads; worker++) {
      const firstChunk = Math.floor((worker * seeds.length) / threads);
      const endChunk = Math.floor(((worker + 1) * seeds.length) / threads);
      jobs.push({ kind, logits, probabilities, baseline, seeds, firstChunk, endChunk, count, step });
    }
    const parts = await this.pool.run(jobs);
    const out = new Float64Array(seeds.length * 2 * dim);
    parts.forEach((part, index) => out.set(part, jobs[index].firstChunk * 2 * dim));
    return out;
  }

  /** Adds the chunks' sums in chunk order, so threaded and in-thread runs give identical numbers. */
  private reduceChunks(out: Float64Array): [Float64Array, Float64Array] {
    const dim = this.request.problem.dim;
    const first = new Float64Array(dim);
    const second = new Float64Array(dim);
    for (let offset = 0; offset < out.length; offset += 2 * dim) {
      for (let unit = 0; unit < dim; unit++) {
        first[unit] += out[offset + unit];
        second[unit] += out[offset + dim + unit];
      }
    }
    return [first, second];
  }

  async estimateMoments(logits: Float64Array, baseline: Float64Array, count: number, rng: Rng, step = 0): Promise<BatchMoments> {
    const [sum, sumOfSquares] = this.reduceChunks(await this.chunkSums('estimate', logits, baseline, count, rng, step));
    const mean = sum.map((total) => total / count);
    // Float64 sums of O(1) values: the one-pass formula loses nothing that matters at these counts.
    const sumOfSquaredDeviations = sumOfSquares.map((squares, unit) => Math.max(0, squares - sum[unit] * mean[unit]));
    return { count, mean, sumOfSquaredDeviations };
  }

  async baselineSums(logits: Float64Array, count: number, rng: Rng, step = 0): Promise<BaselineSums> {
    if (!this.loops.pilot) throw new Error(`${this.request.estimator.id} declares no baseline`);
    const [weightedObjective, weight] = this.reduceChunks(await this.chunkSums('pilot', logits, logits, count, rng, step));
    return { weightedObjective, weight };
  }

  dispose(): void {
    this.pool?.terminate();
    this.pool = null;
  }
}

/** The reference backend: generated, fused JavaScript loops over typed arrays, threaded for large batches. */
export async function createCpuBackend(options: CpuBackendOptions = {}): Promise<ComputeBackend> {
  const threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
  const ops = createCpuTensorOps(threads);
  return {
    id: 'cpu',
    mode: `cpu:fused-js`,
    details: { engine: `V8 ${process.versions.v8}`, node: process.version, threads: String(threads) },
    fallbacks: [],
    prepare: (request) => new CpuPreparedCell(request, threads),
    prepareHardNode: (request) => (request.nodeKind === 'categorical' ? new CpuCategoricalNode(request) : new CpuHardNode(request)),
    ops,
    dispose: () => void ops.dispose(),
  };
}
