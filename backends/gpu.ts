import { nodeProbabilities } from '../harness/node-kinds.js';
import { chunkSeeds, type Rng } from '../harness/rng.js';
import type { BaselineSums, BatchMoments, CellRequest, ComputeBackend, PreparedCell } from './backend.js';
import { gpuKernelSources } from './gpu-kernels.js';
import { startGpuRuntime, type GpuJsKernel, type GpuRuntime } from './gpu-runtime.js';
import { assertFiniteMoments } from './kernel-source.js';
import { fillNoise } from './noise.js';

type Kernel = GpuJsKernel;

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

  constructor(private readonly runtime: GpuRuntime, private readonly request: CellRequest) {
    const { estimator, problem, batchSize } = request;
    const sources = gpuKernelSources(request);
    const functions = [
      ...(estimator.helpers ?? []), ...(problem.objective.helpers ?? []),
      estimator.kernels.forward, estimator.kernels.gradient, problem.objective.value, problem.objective.gradient,
      ...(estimator.kernels.baselineWeight ? [estimator.kernels.baselineWeight] : []),
    ];
    const dim = problem.dim;
    const rows = batchSize * estimator.evaluations;
    const create = (source: string, output: number[], pipeline: boolean): Kernel => {
      const kernel = runtime.gpu.createKernel(source, {
        output,
        pipeline,
        functions,
        loopMaxIterations: Math.max(batchSize, dim, estimator.evaluations) + 1,
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
    this.noiseU = new Float32Array(batchSize * dim).fill(0.5);
    this.noiseV = estimator.noise.length > 1 ? new Float32Array(batchSize * dim).fill(0.5) : null;
  }

  /** Uploads this call's inputs and runs the forward pass (and objective when one is compiled). */
  private async forwardPass(logits: Float64Array, count: number, rng: Rng) {
    const { estimator, problem, batchSize } = this.request;
    fillNoise(estimator.noise, chunkSeeds(rng, count), count, problem.dim, this.noiseU, this.noiseV);
    const { input } = this.runtime.gpujs;
    const noise = [input(this.noiseU, [problem.dim, batchSize]), ...(this.noiseV ? [input(this.noiseV, [problem.dim, batchSize])] : [])];
    const theta = Float32Array.from(logits);
    const probabilities = Float32Array.from(nodeProbabilities(problem.nodeKind, logits));
    const h = await this.forward(theta, probabilities, ...noise);
    const objectives = this.objective ? await this.objective(h) : null;
    return { theta, probabilities, noise, h, objectives };
  }

  async estimateMoments(logits: Float64Array, baseline: Float64Array, count: number, rng: Rng): Promise<BatchMoments> {
    const { theta, probabilities, noise, h, objectives } = await this.forwardPass(logits, count, rng);
    const objectiveArguments = this.request.estimator.needs.objective ? [objectives] : [];
    const estimates = await this.gradient(theta, probabilities, ...noise, h, ...objectiveArguments, Float32Array.from(baseline));
    const mean = (await this.mean(estimates, count)) as Float32Array;
    const deviations = (await this.deviations(estimates, mean, count)) as Float32Array;
    const result = { count, mean: Float64Array.from(mean), sumOfSquaredDeviations: Float64Array.from(deviations) };
    assertFiniteMoments(result.mean, `${this.request.estimator.id} mean gradient`);
    assertFiniteMoments(result.sumOfSquaredDeviations, `${this.request.estimator.id} gradient variance`);
    return result;
  }

  async baselineSums(logits: Float64Array, count: number, rng: Rng): Promise<BaselineSums> {
    if (!this.pilotWeight || !this.pilotSums) throw new Error(`${this.request.estimator.id} declares no baseline`);
    const { theta, probabilities, noise, h, objectives } = await this.forwardPass(logits, count, rng);
    const weights = await this.pilotWeight(theta, probabilities, ...noise, h);
    const [weightedObjective, weight] = (await this.pilotSums(weights, objectives, count)) as Float32Array[];
    return { weightedObjective: Float64Array.from(weightedObjective), weight: Float64Array.from(weight) };
  }

  dispose(): void {
    for (const kernel of this.kernels) kernel.destroy();
  }
}

/** gpu.js backend: WebGPU, else headless-gl (starting Xvfb when needed), else an explicit CPU-mode fallback. */
export async function createGpuBackend(): Promise<ComputeBackend> {
  const runtime = await startGpuRuntime();
  return {
    id: 'gpu',
    mode: runtime.mode,
    details: runtime.details,
    fallbacks: runtime.fallbacks,
    prepare: (request: CellRequest) => new GpuPreparedCell(runtime, request),
    dispose: () => runtime.dispose(),
  };
}
