import type { ParameterSpecs } from '../core/parameters.js';

/**
 * The annealing schedule's parameters, shared by the slope-annealed estimators: the slope at 0-based
 * training step s is a = min(maxSlope, 1 + slopeRate · s), 1 when scoring. Chung et al. grow it per epoch
 * (a = min(5, 1 + 0.04 · epoch)); here one step is one update of the logits, the harness's unit of
 * training time.
 */
export const slopeAnnealingParams: ParameterSpecs = {
  slopeRate: { description: 'growth of the slope a per training step: a = min(maxSlope, 1 + slopeRate * step)', default: 0.04, minimum: 0 },
  maxSlope: { description: 'largest slope a of the annealing schedule', default: 5, minimum: 1 },
};
