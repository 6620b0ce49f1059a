/**
 * The forward pass of the straight-through estimators written for deterministic nodes: a binary step
 * 1{theta > 0}. Staged cells replace it with the suite's own op (step, sign, k-bit quantizer); it is
 * only what such an estimator would hand downstream on a kernel problem that names no op.
 */
export function hardStep(theta: number): number {
  return theta > 0 ? 1 : 0;
}
