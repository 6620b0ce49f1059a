import type { BaselineSums, ComputeBackend, PreparedCell } from '../core/backend.js';
import { momentsOfRows, type BatchMoments } from '../core/moments.js';
import type { EstimatorDefinition } from '../core/estimator.js';
import type { HardNodeStage, StagedEstimates, StagedProblem } from '../core/suite.js';
import type { ParameterValues } from '../core/parameters.js';
import type { Rng } from '../core/rng.js';
import { createCpuTensorOps } from '../backends/cpu-ort-ops.js';
import type { ObservedObjectives } from './estimator-state.js';

/** Collects the objective values handed to a cell's hard nodes while an observation runs. */
interface ObjectiveCollector {
  readonly chunks: Float64Array[];
}

/**
 * The node as the problem sees it: the backend's node, whose backward first hands the objective value
 * of each row's first evaluation to the open collector, if any (what an estimator's state regresses on).
 */
function observedNode(node: HardNodeStage, collector: () => ObjectiveCollector | null): HardNodeStage {
  return {
    width: node.width,
    evaluations: node.evaluations,
    forward: (logits, rows, rng, step) => node.forward(logits, rows, rng, step),
    backward(pass, objectives, objectiveGradient, baseline, step) {
      const open = collector();
      if (open && objectives) {
        const firstEvaluations = new Float64Array(pass.rows);
        for (let row = 0; row < pass.rows; row++) firstEvaluations[row] = objectives[row * node.evaluations];
        open.chunks.push(firstEvaluations);
      }
      return node.backward(pass, objectives, objectiveGradient, baseline, step);
    },
    baselineSums: (pass, objectives, step) => node.baselineSums(pass, objectives, step),
    dispose: () => node.dispose(),
  };
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
  /** Open while `observeObjectives` runs its draw; null otherwise (scoring passes are not collected). */
  private collector: ObjectiveCollector | null = null;

  /** @param estimatorState the estimator's live state values, handed to every hard node (see CellRequest.estimatorState) */
  constructor(
    backend: ComputeBackend, estimator: EstimatorDefinition, estimatorParams: ParameterValues, problem: StagedProblem, batchSize: number,
    estimatorState?: Float64Array,
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
        const node = prepareHardNode.call(backend, { estimator, estimatorParams, nodeKind: problem.nodeKind, width, ...options, ...(estimatorState ? { estimatorState } : {}) });
        this.nodes.push(node);
        return observedNode(node, () => this.collector);
      },
    });
  }

  /**
   * Runs `run` (a training step's draw) and returns, beside its result, the objective value of the
   * first evaluation of every row its hard node backpropagated, in order: the step's own samples'
   * values, without a second pass.
   */
  async observeObjectives<T>(run: () => Promise<T>): Promise<{ result: T; observed: ObservedObjectives }> {
    if (this.collector) throw new Error('observeObjectives does not nest');
    const collector: ObjectiveCollector = { chunks: [] };
    this.collector = collector;
    try {
      const result = await run();
      const values = new Float64Array(collector.chunks.reduce((total, chunk) => total + chunk.length, 0));
      let offset = 0;
      for (const chunk of collector.chunks) {
        values.set(chunk, offset);
        offset += chunk.length;
      }
      return { result, observed: { values } };
    } finally {
      this.collector = null;
    }
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
