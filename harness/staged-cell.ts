import type { BaselineSums, ComputeBackend, PreparedCell } from '../core/backend.js';
import { momentsOfRows, type BatchMoments } from '../core/moments.js';
import type { EstimatorDefinition } from '../core/estimator.js';
import type { HardNodeStage, StagedEstimates, StagedProblem } from '../core/suite.js';
import type { ParameterValues } from '../core/parameters.js';
import type { Rng } from '../core/rng.js';
import { createCpuTensorOps } from '../backends/cpu-ort-ops.js';
import type { CellEstimatorState } from './estimator-state.js';

/**
 * A staged problem compiled on a backend for one estimator: the problem's stages run on the backend's
 * tensor operations and hard nodes, and the per-estimate gradients are reduced to moments here.
 * The estimator's baseline, when it has one, is drawn by the problem's stages per call.
 */
export class StagedPreparedCell implements PreparedCell {
  readonly baselineInside = true;
  readonly compiled: StagedEstimates;
  private readonly nodes: HardNodeStage[] = [];

  /**
   * @param estimatorState the estimator's live state values, handed to every hard node (see CellRequest.estimatorState)
   * @param nodeState the cell's state, for its array state and the batches its update reads (see HardNodeRequest)
   */
  constructor(
    backend: ComputeBackend, estimator: EstimatorDefinition, estimatorParams: ParameterValues, problem: StagedProblem, batchSize: number,
    estimatorState?: Float64Array,
    nodeState?: Pick<CellEstimatorState, 'arraysFor' | 'recordSamples'>,
  ) {
    const { prepareHardNode, ops } = backend;
    if (!prepareHardNode || !ops) throw new Error(`backend ${backend.id} has no hard-node stage or tensor operations, so it runs no staged suites`);
    this.compiled = problem.prepare({
      ops,
      createHostOps: createCpuTensorOps,
      estimator,
      estimatorParams,
      batchSize,
      hardNode: (width, options = {}) => {
        const linked = nodeState
          ? { stateArrays: nodeState.arraysFor({ nodeKind: problem.nodeKind, dim: width, ...options }), recordSamples: nodeState.recordSamples }
          : {};
        const node = prepareHardNode.call(backend, { estimator, estimatorParams, nodeKind: problem.nodeKind, width, ...options, ...(estimatorState ? { estimatorState } : {}), ...linked });
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
