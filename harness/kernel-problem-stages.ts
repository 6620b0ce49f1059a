import { hostObjective } from '../backends/host-objective.js';
import { parametersAsLogits, singleNodeEstimates, type SingleNodeStages } from '../models/single-node.js';
import type { Problem, StagedProblem } from '../core/suite.js';

/**
 * A kernel problem as stages: no upstream layer (every row's logits are the trained logits), the
 * estimator at the backend's hard node, the kernel objective on the host, identity backward. Backends
 * that do not fuse the problem's node kind into one loop run it this way; the hard nodes draw the
 * fused loops' noise streams, so both ways give the same estimates.
 */
export function kernelProblemAsStages(problem: Problem): StagedProblem {
  const width = problem.dim;
  const objective = hostObjective(problem.objective, width);
  const stages: SingleNodeStages<null> = {
    ...parametersAsLogits(width),
    objective: async (_pass, h, _evaluations, wantGradient) => objective(h, h.length / width, wantGradient),
  };
  return {
    kind: 'staged',
    nodeKind: problem.nodeKind,
    initialParameters: problem.initialLogits,
    ...(problem.recordedParams ? { recordedParams: problem.recordedParams } : {}),
    prepare(context) {
      const node = context.hardNode(width, problem.classes === undefined ? {} : { classes: problem.classes });
      return {
        estimates: (params, count, rng, step) => singleNodeEstimates(stages, node, context.estimator, params, count, rng, step),
        referenceGradient: async (params) => ({ kind: problem.referenceKind ?? 'closed-form', gradient: problem.exactGradient(params) }),
        evaluate: async (params) => ({ loss: problem.exactLoss(params) }),
        dispose() {},
      };
    },
  };
}
