import { noiseRowsPerSample } from '../core/estimator.js';
import type { HardOp } from '../core/suite.js';
import type { HardNodeRequest } from '../core/backend.js';

/**
 * The op of a deterministic node (which then draws no noise), checked against the node kind: a
 * deterministic node without the suite's op, or an op on a stochastic node, is a programming error.
 */
export function deterministicOp(request: HardNodeRequest): HardOp | null {
  if (request.nodeKind === 'deterministic' && !request.op) throw new Error(`a deterministic hard node needs the suite's op (${request.estimator.id})`);
  if (request.nodeKind !== 'deterministic' && request.op) throw new Error(`hard op ${request.op.id} given for a ${request.nodeKind} node`);
  return request.op ?? null;
}

/** Noise numbers per row of a hard node: none for a deterministic node, else the estimator's draws. */
export function hardNodeNoiseWidth(request: HardNodeRequest): number {
  return request.op ? 0 : request.width * noiseRowsPerSample(request.estimator, request.estimatorParams);
}

/** Throws for a request of logits per evaluation, which only categorical nodes take (a programming error). */
export function requireSharedLogits(request: HardNodeRequest): void {
  if (request.logitsPerEvaluation) throw new Error(`logits per evaluation need a categorical node, not a ${request.nodeKind} one (${request.estimator.id})`);
}
