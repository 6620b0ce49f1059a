import type { BaselineSums, ComputeBackend, PreparedCell } from '../core/backend.js';
import type { BatchMoments } from '../core/moments.js';
import { runsOnHardNodeStages, type EstimatorDefinition } from '../core/estimator.js';
import {
  isStagedProblem, type Problem, type ProblemEvaluation, type ReferenceGradient, type ScoringTarget, type StagedProblem, type TrainingDefaults,
} from '../core/suite.js';
import { kernelProblemAsStages } from './kernel-problem-stages.js';
import type { ParameterValues } from '../core/parameters.js';
import type { Rng } from '../core/rng.js';
import { StagedPreparedCell } from './staged-cell.js';
import { CellEstimatorState, objectiveProbeEstimator } from './estimator-state.js';
import type { CellExecution } from '../core/types.js';

/**
 * A cell ready to run, whatever kind its problem is: estimates of the gradient with respect to the
 * trained parameters (the logits of a kernel problem, the weights of a network), the gradient they
 * are scored against, and the training loss.
 */
export interface ReadyCell extends PreparedCell {
  /** How the backend runs the cell: one fused loop, or stages (a staged problem, or a kernel problem of a node kind the backend does not fuse). */
  readonly execution: CellExecution;
  /** Trained parameters at the start: gradients are scored here and training starts here. */
  readonly initialParameters: Float64Array;
  /** The reference gradient at `params`, or null when the suite has none (gradient scores are then absent). */
  referenceGradient(params: Float64Array): Promise<ReferenceGradient | null>;
  /** Training loss and further evaluation at `params`. */
  evaluate(params: Float64Array): Promise<ProblemEvaluation>;
  readonly trainingDefaults: TrainingDefaults;
  /** Where gradient scores are taken when that is not the trained parameters (see StagedEstimates.scoring). */
  readonly scoring?: ScoringTarget;
  /** The scoring target at `params` along training, where the suite has one (see StagedEstimates.scoringAt). */
  scoringAt?(params: Float64Array): ScoringTarget;
  /** The estimator's state, whose live values the cell's kernels read (empty for a stateless estimator). */
  readonly estimatorState: CellEstimatorState;
  /**
   * The estimator's objective probe (see objectiveProbeEstimator): its estimates from a stream are the
   * objective values of the samples the estimator draws from that stream. Present where the estimator's
   * state reads them (kernel problems).
   */
  readonly objectiveProbe?: PreparedCell;
}

/** What a cell is prepared from. */
export interface CellPreparation {
  readonly estimator: EstimatorDefinition;
  readonly estimatorParams: ParameterValues;
  readonly problem: Problem | StagedProblem;
  readonly batchSize: number;
}

/** A kernel problem's cell: the backend's fused loop, with the problem's closed-form (or enumerated) answers. */
function kernelCell(backend: ComputeBackend, preparation: CellPreparation & { problem: Problem }): ReadyCell {
  const { problem, estimator, estimatorParams } = preparation;
  const estimatorState = new CellEstimatorState(estimator, estimatorParams, problem);
  const prepared = backend.prepare({ ...preparation, estimatorState: estimatorState.values });
  const probe = estimator.state?.needsObjectiveMoments
    ? backend.prepare({ ...preparation, estimator: objectiveProbeEstimator(estimator), estimatorState: estimatorState.values })
    : null;
  return {
    execution: 'fused',
    initialParameters: problem.initialLogits,
    referenceGradient: async (params) => ({ kind: problem.referenceKind ?? 'closed-form', gradient: problem.exactGradient(params) }),
    evaluate: async (params) => ({ loss: problem.exactLoss(params) }),
    trainingDefaults: {},
    estimatorState,
    ...(probe ? { objectiveProbe: probe } : {}),
    estimateMoments: (params: Float64Array, baseline: Float64Array, count: number, rng: Rng, step?: number): Promise<BatchMoments> =>
      prepared.estimateMoments(params, baseline, count, rng, step),
    baselineSums: (params: Float64Array, count: number, rng: Rng, step?: number): Promise<BaselineSums> => prepared.baselineSums(params, count, rng, step),
    dispose: () => {
      prepared.dispose();
      probe?.dispose();
    },
  };
}

/** A staged problem's cell: its stages on the backend's tensor operations and hard nodes. */
function stagedCell(backend: ComputeBackend, preparation: CellPreparation & { problem: StagedProblem }): ReadyCell {
  const { estimator, estimatorParams, problem, batchSize } = preparation;
  if (estimator.state?.needsObjectiveMoments) throw new Error(`${estimator.id} reads the objective values of its samples, which staged cells do not offer yet`);
  // A staged problem's hard nodes have widths of their own: the state's shape is the trained parameters'.
  const estimatorState = new CellEstimatorState(estimator, estimatorParams, { nodeKind: problem.nodeKind, dim: problem.initialParameters.length });
  const prepared = new StagedPreparedCell(backend, estimator, estimatorParams, problem, batchSize, estimatorState.values, estimatorState);
  return {
    execution: 'staged',
    baselineInside: true,
    estimatorState,
    initialParameters: problem.initialParameters,
    referenceGradient: (params) => prepared.compiled.referenceGradient(params),
    evaluate: (params) => prepared.compiled.evaluate(params),
    trainingDefaults: problem.trainingDefaults ?? {},
    ...(prepared.compiled.scoring ? { scoring: prepared.compiled.scoring } : {}),
    ...(prepared.compiled.scoringAt ? { scoringAt: (params: Float64Array) => prepared.compiled.scoringAt!(params) } : {}),
    estimateMoments: (params, baseline, count, rng, step) => prepared.estimateMoments(params, baseline, count, rng, step),
    baselineSums: () => prepared.baselineSums(),
    dispose: () => prepared.dispose(),
  };
}

/**
 * Compiles a cell on a backend: the fused path for kernel problems whose node kind the backend fuses,
 * stages for staged problems and for the other kernel problems (see `kernelProblemAsStages`).
 */
export function prepareCell(backend: ComputeBackend, preparation: CellPreparation): ReadyCell {
  const { problem } = preparation;
  if (isStagedProblem(problem)) return stagedCell(backend, { ...preparation, problem });
  if (problem.nodeKind === 'categorical' && !(Number.isInteger(problem.classes) && problem.classes! >= 2 && problem.dim % problem.classes! === 0)) {
    throw new Error(`a categorical kernel problem needs classes K >= 2 dividing its dim (got dim ${problem.dim}, K = ${problem.classes})`);
  }
  // Host terms and updates that read the node's batches need the host to see each batch: stages.
  const fuses = backend.fusedNodeKinds.includes(problem.nodeKind) && !runsOnHardNodeStages(preparation.estimator);
  return fuses ? kernelCell(backend, { ...preparation, problem }) : stagedCell(backend, { ...preparation, problem: kernelProblemAsStages(problem) });
}

/** What the results record of a problem beside its suite parameters: a kernel problem's starting logits, a staged problem's own choice. */
export function recordedProblemParams(problem: Problem | StagedProblem): Record<string, number | number[] | string> {
  return isStagedProblem(problem) ? { ...problem.recordedParams } : { ...problem.recordedParams, logits: Array.from(problem.initialLogits) };
}

/** Why an estimator cannot run on a problem beyond its node kind (a staged problem's own limits), or null. */
export function problemUnsupportedReason(problem: Problem | StagedProblem, estimator: EstimatorDefinition): string | null {
  if (!isStagedProblem(problem)) return null;
  if (estimator.state?.needsObjectiveMoments) return `${estimator.id} reads the objective values of its samples, which staged problems (networks) do not offer yet; kernel problems do`;
  return problem.unsupportedReason?.(estimator) ?? null;
}
