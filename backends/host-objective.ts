/**
 * The host's compiled form of a kernel objective, for kernel problems that run as stages: generated
 * JavaScript, as the CPU backend's fused loops are, from the same bindings.
 */
import { callExpression, literalBindings, numberLiteral, objectiveKernelSources } from '../core/kernel-source.js';
import type { ObjectiveKernels, ObjectiveValues } from '../core/suite.js';

/** A kernel objective evaluated on the host over rows of h: L of every row, and dL/dh when asked. */
export type HostObjective = (h: Float64Array, rows: number, wantGradient: boolean) => ObjectiveValues;

/**
 * Compiles a kernel objective for the host: its `value` and `gradient` kernels called with their
 * arguments bound by name, exactly as the backends bind them (`h` as the array of rows, `row`,
 * `element`, `dim` and the suite's constants as literals), so the host computes the numbers a fused
 * loop computes.
 */
export function hostObjective(objective: ObjectiveKernels, dim: number): HostObjective {
  const bindings = { ...literalBindings(objective.constants), dim: numberLiteral(dim), h: 'hRows', row: 'row', element: 'element' };
  const body = `"use strict";
    ${objectiveKernelSources(objective).join('\n')}
    return function objectiveOnRows(h, rows, wantGradient) {
      const hRows = [];
      for (let row = 0; row < rows; row++) hRows.push(h.subarray(row * ${dim}, (row + 1) * ${dim}));
      const value = new Float64Array(rows);
      const gradient = wantGradient ? new Float64Array(rows * ${dim}) : null;
      for (let row = 0; row < rows; row++) {
        value[row] = ${callExpression(objective.value, bindings, 'objective value')};
        if (gradient) for (let element = 0; element < ${dim}; element++) gradient[row * ${dim} + element] = ${callExpression(objective.gradient, bindings, 'objective gradient')};
      }
      return { value, gradient };
    };`;
  return new Function(body)() as HostObjective;
}
