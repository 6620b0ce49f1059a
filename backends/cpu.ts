import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { evaluationCount } from '../core/estimator.js';
import { initialStateArray } from '../core/estimator-state.js';
import { nodeProbabilities } from '../core/node-kinds.js';
import { chunkSeeds, Rng } from '../core/rng.js';
import type { BaselineSums, CellRequest, ComputeBackend, PreparedCell } from '../core/backend.js';
import type { BatchMoments } from '../core/moments.js';
import { chunkStride, compileCpuLoops, cpuLoopSource, type CompiledLoops } from './cpu-loops.js';
import { categoricalNumbersPerSample, cpuCategoricalLoopSource } from './cpu-categorical-loops.js';
import { CpuCategoricalNode } from './cpu-categorical-node.js';
import { CpuHardNode } from './cpu-hard-node.js';
import { createCpuTensorOps } from './cpu-ort-ops.js';
import { CpuWorkerPool, sharedCallArrays, type SharedCall } from './cpu-pool.js';

/**
 * Below this many element evaluations per call (D x evaluations x S), the calling thread alone is
 * faster: waking a worker and sharing the call costs more than the worker saves. Measured with
 * `npm run peer -- --threads 2,1` (docs/measurements/2026-11-25-toy-cpu-vs-pytorch-jax.md): at D 16 x S 8192 (2^17) two threads
 * were 0.52–0.97x one, at D 16 x S 65536 (2^20) 0.92–1.11x, at D 256 x S 8192 (2^21) 1.5–1.8x.
 */
export const defaultThreadsFromElements = 1 << 21;

/** Options of the CPU backend. */
export interface CpuBackendOptions {
  /** Threads computing large batches, the calling thread included; 1 runs everything on the calling thread. Default: the cores available. */
  readonly threads?: number;
  /**
   * Element evaluations per call from which calls are shared with the worker threads (smaller calls,
   * and calls of a single noise chunk, run on the calling thread). Default: defaultThreadsFromElements;
   * the numbers are the same either way, so tests lower it to exercise the threads on small calls.
   */
  readonly threadsFromElements?: number;
}

class CpuPreparedCell implements PreparedCell {
  private readonly source: string;
  private readonly loops: CompiledLoops;
  private readonly elementsPerSample: number;
  private pool: CpuWorkerPool | null = null;
  /** The estimator's state values, read at every call (the harness rewrites them between calls). */
  private readonly state: Float64Array;

  constructor(private readonly request: CellRequest, private readonly threads: number, private readonly threadsFromElements: number) {
    // V8 caches what `new Function` compiles by its text, type feedback and optimised code included:
    // cells with the same text (same estimator and dim, another batch size or thread count) then
    // share, and deoptimise, each other's loops (measured: later cells' loops 40 % slower). A comment
    // of its own gives every cell fresh code; it changes no number.
    const loopSource = request.problem.nodeKind === 'categorical' ? cpuCategoricalLoopSource(request) : cpuLoopSource(request);
    this.source = `${loopSource}\n// this cell's own code: ${randomUUID()}`;
    this.loops = compileCpuLoops(this.source, Rng);
    const { estimator, estimatorParams, problem } = request;
    this.state = request.estimatorState ?? initialStateArray(estimator, estimatorParams, problem);
    this.elementsPerSample = request.problem.nodeKind === 'categorical'
      ? categoricalNumbersPerSample(request)
      : request.problem.dim * evaluationCount(request.estimator, request.estimatorParams);
  }

  /** Per-chunk sums for the whole call, computed in this thread alone or together with the workers. */
  private async chunkSums(kind: SharedCall['kind'], logits: Float64Array, baseline: Float64Array, count: number, rng: Rng, step: number): Promise<Float64Array> {
    const dim = this.request.problem.dim;
    const seeds = chunkSeeds(rng, count);
    const probabilities = nodeProbabilities(this.request.problem.nodeKind, logits, this.request.problem.classes);
    const loop = kind === 'estimate' ? this.loops.estimate : this.loops.pilot!;
    if (this.threads <= 1 || seeds.length < 2 || count * this.elementsPerSample < this.threadsFromElements) {
      const out = new Float64Array(seeds.length * chunkStride(dim));
      loop(logits, probabilities, baseline, seeds, 0, seeds.length, count, out, step, this.state);
      return out;
    }
    this.pool ??= new CpuWorkerPool(this.source, dim, this.threads - 1, this.state);
    // A copy: the call is posted to the workers, and this call's values must not change under them.
    const call: SharedCall = { kind, logits, probabilities, baseline, seeds, count, step, state: this.state.slice(), ...sharedCallArrays(seeds.length, dim) };
    await this.pool.run(call, loop);
    return call.out;
  }

  /** Adds the chunks' sums in chunk order, so threaded and in-thread runs give identical numbers. */
  private reduceChunks(out: Float64Array): [Float64Array, Float64Array] {
    const dim = this.request.problem.dim;
    const first = new Float64Array(dim);
    const second = new Float64Array(dim);
    for (let offset = 0; offset < out.length; offset += chunkStride(dim)) {
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

/** The reference backend: generated, fused JavaScript loops over typed arrays (every node kind), threaded for large batches. */
export async function createCpuBackend(options: CpuBackendOptions = {}): Promise<ComputeBackend> {
  const threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
  const threadsFromElements = Math.max(1, options.threadsFromElements ?? defaultThreadsFromElements);
  const ops = createCpuTensorOps(threads);
  return {
    id: 'cpu',
    mode: `cpu:fused-js`,
    details: {
      engine: `V8 ${process.versions.v8}`, node: process.version, threads: String(threads),
      threadsFrom: `${threadsFromElements} element evaluations per call`,
    },
    fallbacks: [],
    fusedNodeKinds: ['bernoulli', 'deterministic', 'categorical'],
    prepare: (request) => new CpuPreparedCell(request, threads, threadsFromElements),
    prepareHardNode: (request) => (request.nodeKind === 'categorical' ? new CpuCategoricalNode(request, threads) : new CpuHardNode(request, threads)),
    ops,
    dispose: () => void ops.dispose(),
  };
}
