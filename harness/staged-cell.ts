import type { BaselineSums, BatchMoments, ComputeBackend, PreparedCell } from '../backends/backend.js';
import type { EstimatorDefinition } from '../estimators/estimator.js';
import type { HardNodeStage, StagedEstimates, StagedProblem } from '../suites/suite.js';
import type { ParameterValues } from './parameters.js';
import type { Rng } from './rng.js';

/**
 * Per-column moments of `count` rows of `width` numbers (two passes, float64): the moments of `count`
 * single estimates of a gradient vector.
 */
export function momentsOfRows(rows: Float64Array, count: number, width: number): BatchMoments {
  // One estimate (a training step on one minibatch): its row is the mean, with no spread.
  if (count === 1) return { count, mean: rows.slice(0, width), sumOfSquaredDeviations: new Float64Array(width) };
  const mean = new Float64Array(width);
  for (let row = 0; row < count; row++) {
    const base = row * width;
    for (let column = 0; column < width; column++) mean[column] += rows[base + column];
  }
  for (let column = 0; column < width; column++) mean[column] /= count;
  const sumOfSquaredDeviations = new Float64Array(width);
  for (let row = 0; row < count; row++) {
    const base = row * width;
    for (let column = 0; column < width; column++) {
      const deviation = rows[base + column] - mean[column];
      sumOfSquaredDeviations[column] += deviation * deviation;
    }
  }
  return { count, mean, sumOfSquaredDeviations };
}

/**
 * A staged problem compiled on a backend for one estimator: the problem's stages run on the backend's
 * tensor operations and hard nodes, and the per-estimate gradients are reduced to moments here.
 * The estimator's baseline, when it has one, is drawn by the problem's stages per call.
 */
export class StagedPreparedCell implements PreparedCell {
  readonly baselineInside = true;
  readonly compiled: StagedEstimates;
  private readonly nodes: HardNodeStage[] = [];

  constructor(
    backend: ComputeBackend, estimator: EstimatorDefinition, estimatorParams: ParameterValues, problem: StagedProblem, batchSize: number,
  ) {
    const { prepareHardNode, ops } = backend;
    if (!prepareHardNode || !ops) throw new Error(`backend ${backend.id} has no hard-node stage or tensor operations, so it runs no staged suites`);
    this.compiled = problem.prepare({
      ops,
      estimator,
      estimatorParams,
      batchSize,
      hardNode: (width, options = {}) => {
        const node = prepareHardNode.call(backend, { estimator, estimatorParams, nodeKind: problem.nodeKind, width, ...options });
        this.nodes.push(node);
        return node;
      },
    });
  }

  async estimateMoments(params: Float64Array, _baseline: Float64Array, count: number, rng: Rng, step = 0): Promise<BatchMoments> {
    const estimates = await this.compiled.estimates(params, count, rng, step);
    return momentsOfRows(estimates, count, params.length);
  }

  async baselineSums(): Promise<BaselineSums> {
    throw new Error('a staged cell draws its baseline inside its stages');
  }

  dispose(): void {
    this.compiled.dispose();
    for (const node of this.nodes) node.dispose();
  }
}
