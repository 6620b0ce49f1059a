import { nodeKinds, type EstimatorDefinition, type NodeKind } from './estimator.js';

/** Node kinds whose kernels every backend can run today. */
export const supportedNodeKinds: readonly NodeKind[] = nodeKinds;

/** Why an estimator's cell on a node kind cannot run (null when it can). */
export function unsupportedNodeReason(estimator: EstimatorDefinition, kind: NodeKind): string | null {
  if (!estimator.nodeKinds.includes(kind)) return `${estimator.id} supports ${estimator.nodeKinds.join(', ')} nodes, not ${kind}`;
  if (kind === 'categorical' && !estimator.categoricalKernels) return `${estimator.id} lists categorical nodes but defines no categoricalKernels`;
  if (kind === 'vector-quantized' && !estimator.vectorQuantizer) return `${estimator.id} lists vector-quantized nodes but defines no vectorQuantizer rule`;
  if (!supportedNodeKinds.includes(kind)) return `${kind} nodes are not supported by the backends yet`;
  return null;
}

/**
 * The probability `p` handed to estimator kernels, computed once per call rather than once per
 * sample: sigmoid(theta) for Bernoulli nodes, theta itself for deterministic ones, and for categorical
 * nodes the softmax of each unit's `classes` consecutive logits (unit-major layout).
 */
export function nodeProbabilities(kind: NodeKind, logits: Float64Array, classes = 0): Float64Array {
  switch (kind) {
    case 'bernoulli':
      return logits.map((theta) => 1 / (1 + Math.exp(-theta)));
    case 'deterministic':
      return Float64Array.from(logits);
    case 'categorical':
      return unitSoftmax(logits, classes);
    case 'vector-quantized':
      // A VQ node runs as a layer with its own rule (models/vector-quantizer.ts), never through element kernels.
      throw new Error('vector-quantized nodes have no element probabilities: they run as a layer, not through element kernels');
  }
}

/** Softmax over each run of `classes` consecutive logits, shifted by the run's largest logit. */
function unitSoftmax(logits: Float64Array, classes: number): Float64Array {
  if (!Number.isInteger(classes) || classes < 2 || logits.length % classes !== 0) {
    throw new Error(`categorical probabilities need a whole number of units of K >= 2 classes (got ${logits.length} logits, K = ${classes})`);
  }
  const probabilities = new Float64Array(logits.length);
  for (let start = 0; start < logits.length; start += classes) {
    let largest = logits[start];
    for (let j = 1; j < classes; j++) largest = Math.max(largest, logits[start + j]);
    let total = 0;
    for (let j = 0; j < classes; j++) total += probabilities[start + j] = Math.exp(logits[start + j] - largest);
    for (let j = 0; j < classes; j++) probabilities[start + j] /= total;
  }
  return probabilities;
}
