import { defineEstimator, type EstimatorDefinition, type KernelFunction } from '../core/estimator.js';
import { hardStep } from './hard-step.js';

/** What distinguishes one straight-through estimator for deterministic nodes from another. */
export interface DeterministicSteSpec {
  readonly id: string;
  readonly title: string;
  readonly citation: string;
  /** `gradient(theta, dLdh)` → dL/dtheta: dL/dh times the proxy derivative at theta. */
  readonly gradient: KernelFunction;
}

/**
 * A straight-through estimator for deterministic nodes: the suite's op forward (step, sign, k-bit
 * quantizer; `hardStep` only where no op is given), dL/dh times a proxy derivative backward, no
 * noise, one evaluation, biased by construction.
 */
export function defineDeterministicSte(spec: DeterministicSteSpec): EstimatorDefinition {
  return defineEstimator({
    ...spec,
    family: 'pathwise-surrogate',
    nodeKinds: ['deterministic'],
    claimsUnbiased: false,
    params: {},
    noise: [],
    evaluations: 1,
    needs: { objective: false, objectiveGradient: true },
    kernels: { forward: hardStep, gradient: spec.gradient },
  });
}
