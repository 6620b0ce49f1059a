import { join } from 'node:path';
import { builtInBackends } from '../../backends/index.js';
import { builtInEstimators } from '../../estimators/index.js';
import { withDefaults, type ParameterValues } from '../../core/parameters.js';
import { builtInSuites } from '../../suites/index.js';
import { onnxSuite } from '../../suites/onnx/suite.js';
import { isStagedProblem, type StagedProblem } from '../../core/suite.js';

/** Path of a checked-in ONNX fixture (see test/fixtures/onnx/models.ts). */
export function fixture(name: string): string {
  return join(import.meta.dirname, '..', 'fixtures', 'onnx', name);
}

/** The `onnx` suite's problem for a fixture, built as the runner builds it. */
export function onnxProblem(model: string, overrides: ParameterValues = {}): StagedProblem {
  const problem = onnxSuite.create(withDefaults(onnxSuite.params, { model, ...overrides }));
  if (!isStagedProblem(problem)) throw new Error('the onnx suite is staged');
  return problem;
}

export const registries = { suites: builtInSuites, estimators: builtInEstimators, backends: builtInBackends };

export function sigmoid(theta: number): number {
  return 1 / (1 + Math.exp(-theta));
}

/**
 * E[f(b)] and E[f(b) (b − p)] over every state of independent Bernoulli units, written here apart from
 * the suite's enumeration: the exact loss and gradient of any objective f of a few units.
 */
export function enumerateExactly(logits: ArrayLike<number>, objective: (b: number[]) => number): { loss: number; gradient: number[] } {
  const units = logits.length;
  const p = Array.from(logits, sigmoid);
  const gradient = new Array<number>(units).fill(0);
  let loss = 0;
  for (let state = 0; state < 2 ** units; state++) {
    const b = p.map((_, unit) => Math.floor(state / 2 ** unit) % 2);
    const probability = b.reduce((product, bit, unit) => product * (bit ? p[unit] : 1 - p[unit]), 1);
    const value = objective(b);
    loss += probability * value;
    for (let unit = 0; unit < units; unit++) gradient[unit] += probability * value * (b[unit] - p[unit]);
  }
  return { loss, gradient };
}
