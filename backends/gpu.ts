import { evaluationCount, noiseRowsPerSample } from '../core/estimator.js';
import { initialStateArray } from '../core/estimator-state.js';
import { nodeProbabilities } from '../core/node-kinds.js';
import { chunkSeeds, noiseChunkSamples, type Rng } from '../core/rng.js';
import { mergeMoments } from '../core/moments.js';
import type { BaselineSums, CellRequest, ComputeBackend, PreparedCell } from '../core/backend.js';
import type { BatchMoments } from '../core/moments.js';
import { destroyKernel } from './gpu-kernel-release.js';
import { gpuKernelFunctions, gpuKernelSources, gpuStateArguments } from './gpu-kernels.js';
import { startGpuRuntime, type GpuJsKernel, type GpuRuntime } from './gpu-runtime.js';
import { GpuCategoricalNode } from './gpu-categorical-node.js';
import { GpuHardNode } from './gpu-hard-node.js';
import { createGpuTensorOps } from './gpu-ops.js';
import { fillNoise } from './noise.js';

type Kernel = GpuJsKernel;

/** Largest batch whose textures (rows = samples x evaluations) fit the device, cut at noise-chunk boundaries. */
function deviceBatchSize(request: CellRequest, maxTextureSize: number): number {
  const { batchSize, estimator, estimatorParams, problem } = request;
  const width = problem.dim * noiseRowsPerSample(estimator, estimatorParams);
  const evaluations = evaluationCount(estimator, estimatorParams);
  if (width > maxTextureSize || problem.dim > maxTextureSize) {
    throw new Error(`dim ${problem.dim} needs textures ${width} wide; this GPU allows ${maxTextureSize}`);
  }
  if (batchSize * evaluations <= maxTextureSize) return batchSize;
  const fitting = Math.floor(maxTextureSize / evaluations / noiseChunkSamples) * noiseChunkSamples;
  if (fitting === 0) {
    throw new Error(`${evaluations} evaluations per estimate need ${evaluations * noiseChunkSamples} texture rows; this GPU allows ${maxTextureSize}`);
  }
  return fitting;
}

class GpuPreparedCell implements PreparedCell {
  private readonly kernels: Kernel[] = [];
  private readonly forward: Kernel;
  private readonly objective: Kernel | null;
  private readonly gradient: Kernel;
  private readonly mean: Kernel;
  private readonly deviations: Kernel;
  private readonly pilotWeight: Kernel | null;
  private readonly pilotSums: Kernel | null;
  /** Host-side noise of one batch, uploaded each call (rows past `count` are ignored by the reductions). */
  private readonly noiseU: Float32Array;
  private readonly noiseV: Float32Array | null;
  /** Samples per device pass: the requested batch, or less where texture rows would exceed the GPU's limit. */
  private readonly deviceBatch: number;
  /** Noise numbers per sample: dim, times the evaluations when each draws its own. */
  private readonly noiseWidth: number;
  /** The estimator's state values, read at every call (the harness rewrites them between calls). */
  private readonly state: Float64Array;

  constructor(private readonly runtime: GpuRuntime, private readonly request: CellRequest) {
    const { estimator, problem } = request;
    this.deviceBatch = deviceBatchSize(request, runtime.maxTextureSize);
    const sources = gpuKernelSources({ ...request, batchSize: this.deviceBatch });
    const batchSize = this.deviceBatch;
    // Sources with domain-checked math, so NaN and Inf fail the cell as on the CPU (see gpu-kernels.ts).
    const functions = gpuKernelFunctions(request);
    const dim = problem.dim;
    const evaluations = evaluationCount(estimator, request.estimatorParams);
    const rows = batchSize * evaluations;
    const create = (source: string, output: number[], pipeline: boolean): Kernel => {
      const kernel = runtime.gpu.createKernel(source, {
        output,
        pipeline,
        functions,
        loopMaxIterations: Math.max(batchSize, dim, evaluations) + 1,
        tactic: 'precision',
        precision: 'single',
      });
      this.kernels.push(kernel);
      return kernel;
    };
    this.forward = create(sources.forward, [dim, rows], true);
    this.objective = sources.objective ? create(sources.objective, [rows], true) : null;
    this.gradient = create(sources.gradient, [dim, batchSize], true);
    this.mean = create(sources.mean, [dim], false);
    this.deviations = create(sources.deviations, [dim], false);
    this.pilotWeight = sources.pilotWeight ? create(sources.pilotWeight, [dim, batchSize], true) : null;
    this.pilotSums = sources.pilotSums ? create(sources.pilotSums, [dim, 2], false) : null;
    this.noiseWidth = dim * noiseRowsPerSample(estimator, request.estimatorParams);
    this.state = request.estimatorState ?? initialStateArray(estimator, request.estimatorParams, problem);
    this.noiseU = new Float32Array(batchSize * this.noiseWidth).fill(0.5);
    this.noiseV = estimator.noise.length > 1 ? new Float32Array(batchSize * this.noiseWidth).fill(0.5) : null;
  }

  /** Uploads one device batch's inputs and runs the forward pass (and objective when one is compiled). */
  private async forwardPass(logits: Float64Array, seeds: Uint32Array, count: number, step: number) {
    const { estimator, problem } = this.request;
    fillNoise(estimator.noise, seeds, count, this.noiseWidth, this.noiseU, this.noiseV);
    const { input } = this.runtime.gpujs;
    const size = [this.noiseWidth, this.deviceBatch];
    const noise = [input(this.noiseU, size), ...(this.noiseV ? [input(this.noiseV, size)] : [])];
    const theta = Float32Array.from(logits);
    const probabilities = Float32Array.from(nodeProbabilities(problem.nodeKind, logits));
    const state = gpuStateArguments(this.request.estimator, this.state);
    const h = await this.forward(theta, probabilities, ...noise, step, ...state);
    const objectives = this.objective ? await this.objective(h) : null;
    return { theta, probabilities, noise, h, objectives, state };
  }

  /**
   * Splits a call into device batches along noise-chunk boundaries, so the noise is the same as in
   * one pass (and on the CPU backend), and hands each batch's seeds to `run`.
   */
  private async forEachDeviceBatch(count: number, rng: Rng, run: (seeds: Uint32Array, size: number) => Promise<void>): Promise<void> {
    const seeds = chunkSeeds(rng, count);
    for (let start = 0; start < count; start += this.deviceBatch) {
      const size = Math.min(this.deviceBatch, count - start);
      const firstChunk = start / noiseChunkSamples;
      await run(seeds.subarray(firstChunk, firstChunk + Math.ceil(size / noiseChunkSamples)), size);
    }
  }

  async estimateMoments(logits: Float64Array, baseline: Float64Array, count: number, rng: Rng, step = 0): Promise<BatchMoments> {
    let merged: BatchMoments | null = null;
    const baselineValues = Float32Array.from(baseline);
    await this.forEachDeviceBatch(count, rng, async (seeds, size) => {
      const { theta, probabilities, noise, h, objectives, state } = await this.forwardPass(logits, seeds, size, step);
      const objectiveArguments = this.request.estimator.needs.objective ? [objectives] : [];
      const estimates = await this.gradient(theta, probabilities, ...noise, h, ...objectiveArguments, baselineValues, step, ...state);
      const mean = (await this.mean(estimates, size)) as Float32Array;
      const deviations = (await this.deviations(estimates, mean, size)) as Float32Array;
      const part = { count: size, mean: Float64Array.from(mean), sumOfSquaredDeviations: Float64Array.from(deviations) };
      merged = merged ? mergeMoments(merged, part) : part;
    });
    return merged!;
  }

  async baselineSums(logits: Float64Array, count: number, rng: Rng, step = 0): Promise<BaselineSums> {
    const { pilotWeight, pilotSums } = this;
    if (!pilotWeight || !pilotSums) throw new Error(`${this.request.estimator.id} declares no baseline`);
    const weightedObjective = new Float64Array(this.request.problem.dim);
    const weight = new Float64Array(this.request.problem.dim);
    await this.forEachDeviceBatch(count, rng, async (seeds, size) => {
      const { theta, probabilities, noise, h, objectives, state } = await this.forwardPass(logits, seeds, size, step);
      const weights = await pilotWeight(theta, probabilities, ...noise, h, step, ...state);
      const [batchWeightedObjective, batchWeight] = (await pilotSums(weights, objectives, size)) as Float32Array[];
      for (let unit = 0; unit < weight.length; unit++) {
        weightedObjective[unit] += batchWeightedObjective[unit];
        weight[unit] += batchWeight[unit];
      }
    });
    return { weightedObjective, weight };
  }

  dispose(): void {
    for (const kernel of this.kernels) destroyKernel(kernel);
  }
}

/** gpu.js backend: WebGPU, else headless-gl (starting Xvfb when needed), else an explicit CPU-mode fallback. */
export async function createGpuBackend(): Promise<ComputeBackend> {
  const runtime = await startGpuRuntime();
  const ops = createGpuTensorOps(runtime);
  return {
    id: 'gpu',
    mode: runtime.mode,
    // The fused gpu.js kernel (gpu-kernels.ts) compiles element kernels only; categorical kernel problems run as stages on GpuCategoricalNode.
    fusedNodeKinds: ['bernoulli', 'deterministic'],
    details: runtime.details,
    fallbacks: runtime.fallbacks,
    prepare: (request: CellRequest) => new GpuPreparedCell(runtime, request),
    prepareHardNode: (request) => (request.nodeKind === 'categorical' ? new GpuCategoricalNode(runtime, request) : new GpuHardNode(runtime, request)),
    ops,
    dispose: () => {
      ops.dispose();
      runtime.dispose();
    },
  };
}
