import { parametersAsLogits, singleNodeEstimates, type SingleNodeStages } from '../../models/single-node.js';
import type { Problem, StagedProblem } from '../../core/suite.js';

/**
 * bernoulli-toy as a staged problem: no upstream layer (every row's logits are the trained
 * parameters), the objective evaluated on the host outside any kernel, identity backward. Its
 * estimates must equal the fused cell's, which proves the stages and the hard nodes right.
 */
export function stagedTwin(kernel: Problem, target: number): StagedProblem {
  const dim = kernel.dim;
  const stages: SingleNodeStages<null> = {
    ...parametersAsLogits(dim),
    async objective(_pass, h, evaluations, wantGradient) {
      const rows = h.length / dim;
      const value = new Float64Array(rows);
      const gradient = wantGradient ? new Float64Array(h.length) : null;
      for (let row = 0; row < rows; row++) {
        for (let element = 0; element < dim; element++) {
          const difference = h[row * dim + element] - target;
          value[row] += difference * difference;
          if (gradient) gradient[row * dim + element] = 2 * difference;
        }
      }
      return { value, gradient };
    },
  };
  return {
    kind: 'staged',
    nodeKind: kernel.nodeKind,
    initialParameters: kernel.initialLogits,
    prepare(context) {
      const node = context.hardNode(dim);
      return {
        estimates: (params, count, rng, step) => singleNodeEstimates(stages, node, context.estimator, params, count, rng, step),
        referenceGradient: async (params) => ({ kind: 'closed-form', gradient: kernel.exactGradient(params) }),
        evaluate: async (params) => ({ loss: kernel.exactLoss(params) }),
        dispose() {},
      };
    },
  };
}
