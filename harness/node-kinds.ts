import type { EstimatorDefinition, NodeKind } from '../estimators/estimator.js';

/** Node kinds whose kernels every backend can run today. */
export const supportedNodeKinds: readonly NodeKind[] = ['bernoulli', 'deterministic'];

/** Why an estimator's cell on a node kind cannot run (null when it can). */
export function unsupportedNodeReason(estimator: EstimatorDefinition, kind: NodeKind): string | null {
  if (!estimator.nodeKinds.includes(kind)) return `${estimator.id} supports ${estimator.nodeKinds.join(', ')} nodes, not ${kind}`;
  if (!supportedNodeKinds.includes(kind)) return `${kind} nodes are not supported by the backends yet`;
  return null;
}

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
