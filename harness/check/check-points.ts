import type { ComputeBackend } from '../../core/backend.js';
import type { EstimatorDefinition, NodeKind } from '../../core/estimator.js';
import type { BatchMoments } from '../../core/moments.js';
import { withDefaults, type ParameterValues } from '../../core/parameters.js';
import { hashSeed, Rng } from '../../core/rng.js';
import { isStagedProblem, type HardOp, type Problem, type StagedProblem } from '../../core/suite.js';
import { parametersAsLogits, singleNodeEstimates, type SingleNodeStages } from '../../models/single-node.js';
import { builtInSuites } from '../../suites/index.js';
import { prepareCell } from '../cell.js';
import { vectorQuantizedCheckProblem } from './vq-check-point.js';
import { drawMoments, estimateBaseline } from '../sampling.js';

/** Where an estimator is sampled: a problem, the logits, and the exact gradient there when the suite has one. */
export interface CheckPoint {
  /** Names the point in verdicts: suite, size and which logits (`bernoulli-toy dim=16 shifted`). */
  readonly label: string;
  readonly problem: Problem | StagedProblem;
  readonly logits: Float64Array;
  /** The exact gradient of E[L] at `logits` (closed form or enumeration); null where there is none. */
  readonly exact: Float64Array | null;
}

/**
 * The shifted point: each logit moved by +1 or −0.5 in turn, so that a categorical unit's softmax
 * changes too (a common shift of its K logits would leave it as it is).
 */
const shifted = (logits: Float64Array) => logits.map((theta, index) => theta + (index % 2 === 0 ? 1 : -0.5));

function kernelProblem(suiteId: string, overrides: ParameterValues): Problem {
  const suite = builtInSuites.get(suiteId)!;
  const problem = suite.create(withDefaults(suite.params, overrides));
  if (isStagedProblem(problem)) throw new Error(`${suiteId} is expected to be a kernel suite`);
  return problem;
}

/** The suite's default logits and the shifted point, each with its exact gradient. */
function defaultAndShifted(suiteId: string, overrides: ParameterValues): CheckPoint[] {
  const problem = kernelProblem(suiteId, overrides);
  const settings = Object.entries(overrides).map(([name, value]) => `${name}=${value}`).join(' ');
  return [problem.initialLogits, shifted(problem.initialLogits)].map((logits, index) => ({
    label: `${suiteId} ${settings} ${index === 0 ? 'default logits' : 'shifted logits'}`,
    problem,
    logits,
    exact: problem.exactGradient(logits),
  }));
}

/** The step h = 1{theta > 0}: the hard op of the deterministic node the check runs proxies on. */
const stepOp: HardOp = {
  id: 'step',
  kernel: function checkStepOp(theta: number): number {
    if (theta > 0) return 1;
    return 0;
  },
  constants: {},
};

/**
 * A deterministic node of `dim` steps with the loss Σ (h_i − t)², run as stages: no built-in suite
 * is both deterministic and cheap, and a proxy derivative has no exact target, so there is no reference.
 */
function deterministicStepProblem(dim: number, target = 0.45): StagedProblem {
  const stages: SingleNodeStages<null> = {
    ...parametersAsLogits(dim),
    async objective(_pass, h, _evaluations, wantGradient) {
      const rows = h.length / dim;
      const value = new Float64Array(rows);
      const gradient = wantGradient ? new Float64Array(h.length) : null;
      for (let index = 0; index < h.length; index++) {
        const difference = h[index] - target;
        value[Math.floor(index / dim)] += difference * difference;
        if (gradient) gradient[index] = 2 * difference;
      }
      return { value, gradient };
    },
  };
  const initialParameters = kernelProblem('bernoulli-toy', { dim }).initialLogits;
  return {
    kind: 'staged',
    nodeKind: 'deterministic',
    initialParameters,
    prepare(context) {
      const node = context.hardNode(dim, { op: stepOp });
      return {
        estimates: (params, count, rng, step) => singleNodeEstimates(stages, node, context.estimator, params, count, rng, step),
        referenceGradient: async () => null,
        evaluate: async (params) => ({ loss: params.reduce((total, theta) => total + ((theta > 0 ? 1 : 0) - target) ** 2, 0) }),
        dispose() {},
      };
    },
  };
}

/**
 * The points a node kind is checked at: the enumerable suites (bernoulli-toy in closed form at two
 * sizes and two losses, bernoulli-quadratic by enumeration; categorical-toy at two sizes), each at the
 * suite's default logits and at a shifted point; a deterministic node has a step problem and a
 * vector-quantized node a lone node, both without a reference. The first point of each kind is the probe of the determinism, NaN and agreement checks.
 */
export function checkPoints(kind: NodeKind): CheckPoint[] {
  if (kind === 'bernoulli') {
    return [
      ...defaultAndShifted('bernoulli-toy', { dim: 16 }),
      ...defaultAndShifted('bernoulli-toy', { dim: 3, t: 0.3, power: 3 }),
      ...defaultAndShifted('bernoulli-quadratic', { dim: 8 }),
    ];
  }
  if (kind === 'categorical') {
    return [...defaultAndShifted('categorical-toy', { dim: 8, classes: 6 }), ...defaultAndShifted('categorical-toy', { dim: 3, classes: 3 })];
  }
  if (kind === 'vector-quantized') {
    const problem = vectorQuantizedCheckProblem();
    return [{ label: 'vector-quantized 2 vectors of 3, 4 codes', problem, logits: problem.initialParameters, exact: null }];
  }
  const problem = deterministicStepProblem(8);
  return [{ label: 'deterministic step dim=8 default logits', problem, logits: problem.initialParameters, exact: null }];
}

/** What `sampleAtPoint` draws: `samples` estimates of `estimator` at its default parameters, from a stream of `seed`. */
export interface PointSampling {
  readonly backend: ComputeBackend;
  readonly estimator: EstimatorDefinition;
  readonly point: Pick<CheckPoint, 'problem' | 'logits' | 'label'>;
  readonly samples: number;
  readonly seed: number;
}

/**
 * Moments of `samples` estimates at the point, as a cell scores them (the baseline from its own pilot
 * batch, then the estimates, from one stream keyed by seed, estimator and point). Throws the harness's
 * own errors: an unknown kernel argument, NaN or Inf in the estimates.
 */
export async function sampleAtPoint({ backend, estimator, point, samples, seed }: PointSampling): Promise<BatchMoments> {
  const batchSize = Math.min(samples, 8192);
  const cell = prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params), problem: point.problem, batchSize });
  try {
    const rng = new Rng(hashSeed(seed, estimator.id, point.label));
    const baseline = await estimateBaseline({ cell, estimator, logits: point.logits, batchSize, rng });
    return await drawMoments({ cell, logits: point.logits, baseline, samples, batchSize, rng });
  } finally {
    cell.dispose();
  }
}
