import type { NodeKind } from '../estimators/estimator.js';

/** Node kinds whose kernels every backend can run today. */
export const supportedNodeKinds: readonly NodeKind[] = ['bernoulli', 'deterministic'];

/**
 * The per-element probability `p` handed to estimator kernels, computed once per call rather than
 * once per sample: sigmoid(theta) for Bernoulli nodes, theta itself for deterministic ones.
 */
export function nodeProbabilities(kind: NodeKind, logits: Float64Array): Float64Array {
  switch (kind) {
    case 'bernoulli':
      return logits.map((theta) => 1 / (1 + Math.exp(-theta)));
    case 'deterministic':
      return Float64Array.from(logits);
    case 'categorical':
      throw new Error('categorical nodes are not supported by the backends yet');
  }
}
