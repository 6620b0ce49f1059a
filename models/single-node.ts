import { sampleEvaluationCount, type EstimatorDefinition } from '../core/estimator.js';
import { Rng } from '../core/rng.js';
import type { HardNodeStage, ObjectiveValues } from '../core/suite.js';

/**
 * The stages of a problem with one hard node between the layers upstream of it and its objective:
 * the shape of the toy suites, the VAEs and ONNX objectives. `Pass` is whatever the problem keeps of
 * one batch (its inputs, its activations) for the backward pass. `Params` is what `upstream` takes:
 * float64 parameters, or either kind for stages that also train in float32 (with `backwardInto`).
 */
export interface SingleNodeStages<Pass, Params extends Float64Array | Float32Array = Float64Array> {
  /** Rows of logits one estimate contributes (1 for one sample; the minibatch size for data suites). */
  readonly rowsPerEstimate: number;
  /** Draws the inputs of `count` estimates and runs the layers up to the node: logits [count · rowsPerEstimate × width]. */
  upstream(params: Params, count: number, rng: Rng): Promise<{ pass: Pass; logits: Float64Array }>;
  /** The objective of every h row ([rows · evaluations × width], row = logit row · evaluations + evaluation). */
  objective(pass: Pass, h: Float64Array, evaluations: number, wantGradient: boolean): Promise<ObjectiveValues>;
  /**
   * Per-estimate gradients with respect to the trained parameters ([count × parameters]) from
   * dL/dlogits ([rows × width]); `node` gives h and the objective for the parameters downstream of the
   * node (a decoder's weights, whose gradient is exact given h).
   */
  backward(pass: Pass, params: Float64Array, dLogits: Float64Array, node: NodeResults): Promise<Float64Array>;
  /**
   * One estimate's gradient (`count` 1) written into `into` at float32 `params`: float32 training (see
   * StagedEstimates.estimateInto). Stages without it train in float64.
   */
  backwardInto?(pass: Pass, params: Float32Array, dLogits: Float64Array, node: NodeResults, into: Float32Array): Promise<void>;
}

/** Stages that train in float32 as well as in float64. */
export type Float32Stages<Pass> = SingleNodeStages<Pass, Float64Array | Float32Array> & Required<Pick<SingleNodeStages<Pass>, 'backwardInto'>>;

/** What the hard node's stage hands to the parameters downstream of it. */
export interface NodeResults {
  readonly h: Float64Array;
  readonly evaluations: number;
  /** The first `sampleEvaluations` evaluations are draws of the node's distribution, the rest auxiliary points (see `EstimatorDefinition.sampleEvaluations`). */
  readonly sampleEvaluations: number;
  readonly objective: ObjectiveValues;
}

/**
 * The weight of evaluation `evaluation` in a staged problem's average over an estimate's evaluations
 * (the gradient of the layers after the node, the explicit ∂L/∂logits): 1 / sampleEvaluations for a
 * draw of the node's distribution, 0 for an auxiliary point.
 */
export function sampleWeight(node: Pick<NodeResults, 'sampleEvaluations'>, evaluation: number): number {
  return evaluation < node.sampleEvaluations ? 1 / node.sampleEvaluations : 0;
}

/**
 * Turns per-h-row gradients of one estimate (`rows` = examples · evaluations rows of `rowWidth` values,
 * row = example · evaluations + evaluation) into their share of the minibatch mean over the examples and
 * the estimate's draws, in place: each draw's row divided by examples · sampleEvaluations, an auxiliary
 * point's row zeroed.
 */
export function averageOverDraws(values: Float32Array, rows: number, rowWidth: number, node: Pick<NodeResults, 'evaluations' | 'sampleEvaluations'>): void {
  const divisor = (rows / node.evaluations) * node.sampleEvaluations;
  for (let row = 0; row < rows; row++) {
    const draw = row % node.evaluations < node.sampleEvaluations;
    for (let index = row * rowWidth; index < (row + 1) * rowWidth; index++) values[index] = draw ? values[index] / divisor : 0;
  }
}

/**
 * The draws' rows of one estimate's per-h-row gradients (as `averageOverDraws` reads them), each divided
 * by examples · sampleEvaluations, gathered into [draw rows × rowWidth], and their row indices: what the
 * layers after the node backpropagate when the auxiliary points' rows, which weigh 0, are left out of
 * their products.
 */
export function averagedDrawRows(
  values: Float32Array, rows: number, rowWidth: number, node: Pick<NodeResults, 'evaluations' | 'sampleEvaluations'>,
): { readonly rows: number[]; readonly values: Float32Array } {
  const divisor = (rows / node.evaluations) * node.sampleEvaluations;
  const draws: number[] = [];
  for (let row = 0; row < rows; row++) if (row % node.evaluations < node.sampleEvaluations) draws.push(row);
  const out = new Float32Array(draws.length * rowWidth);
  for (const [index, row] of draws.entries()) {
    for (let column = 0; column < rowWidth; column++) out[index * rowWidth + column] = values[row * rowWidth + column] / divisor;
  }
  return { rows: draws, values: out };
}

/**
 * The upstream stage of a problem without layers before its node: every row's logits are the trained
 * parameters themselves (the toy suites, an ONNX objective), so each estimate is one row of `width`.
 */
export function parametersAsLogits(width: number): Pick<SingleNodeStages<null>, 'rowsPerEstimate' | 'upstream' | 'backward'> {
  return {
    rowsPerEstimate: 1,
    async upstream(params, count) {
      const logits = new Float64Array(count * width);
      for (let row = 0; row < count; row++) logits.set(params, row * width);
      return { pass: null, logits };
    },
    // d logits / d parameters is the identity: one estimate's gradient is its row of dL/dlogits.
    async backward(_pass, _params, dLogits) {
      return dLogits;
    },
  };
}

/**
 * `count` single estimates through one hard node: upstream → estimator forward → objective →
 * estimator backward → upstream backward. An estimator with a baseline gets it from an independent
 * pilot batch (its own stream split off `rng`) at the same parameters, as on the fused path.
 */
export async function singleNodeEstimates<Pass>(
  stages: SingleNodeStages<Pass>, node: HardNodeStage, estimator: EstimatorDefinition,
  params: Float64Array, count: number, rng: Rng, step: number,
): Promise<Float64Array> {
  const { pass, dLogits, results } = await throughNode(stages, node, estimator, params, count, rng, step);
  return stages.backward(pass, params, dLogits, results);
}

/**
 * One estimate at float32 `params` written into `into`, drawing from `rng` what `singleNodeEstimates`
 * draws for one estimate: float32 training's `estimateInto` for stages with `backwardInto`.
 */
export async function singleNodeEstimateInto<Pass>(
  stages: Float32Stages<Pass>, node: HardNodeStage, estimator: EstimatorDefinition,
  params: Float32Array, into: Float32Array, rng: Rng, step: number,
): Promise<void> {
  const { pass, dLogits, results } = await throughNode(stages, node, estimator, params, 1, rng, step);
  await stages.backwardInto(pass, params, dLogits, results, into);
}

/** Upstream → estimator forward → objective → estimator backward: dL/dlogits of `count` estimates. */
async function throughNode<Pass, Params extends Float64Array | Float32Array>(
  stages: SingleNodeStages<Pass, Params>, node: HardNodeStage, estimator: EstimatorDefinition,
  params: Params, count: number, rng: Rng, step: number,
): Promise<{ pass: Pass; dLogits: Float64Array; results: NodeResults }> {
  const { needs } = estimator;
  let baseline: Float64Array | null = null;
  if (estimator.kernels.baselineWeight) {
    const pilotRng = new Rng(rng.nextUint32());
    const pilotEstimates = Math.max(1, Math.ceil((estimator.baselinePilotSamples ?? 1024) / stages.rowsPerEstimate));
    const pilot = await stages.upstream(params, pilotEstimates, pilotRng);
    const forward = await node.forward(pilot.logits, pilotEstimates * stages.rowsPerEstimate, pilotRng, step);
    const objective = await stages.objective(pilot.pass, forward.h, node.evaluations, false);
    const sums = await node.baselineSums(forward, objective.value, step);
    baseline = sums.weightedObjective.map((total, element) => (sums.weight[element] > 0 ? total / sums.weight[element] : 0));
  }
  const { pass, logits } = await stages.upstream(params, count, rng);
  const forward = await node.forward(logits, count * stages.rowsPerEstimate, rng, step);
  const objective = await stages.objective(pass, forward.h, node.evaluations, needs.objectiveGradient);
  const dLogits = await node.backward(forward, needs.objective ? objective.value : null, objective.gradient, baseline, step);
  return { pass, dLogits, results: { h: forward.h, evaluations: node.evaluations, sampleEvaluations: sampleEvaluationCount(estimator, node.evaluations), objective } };
}
