import { callExpression, literalBindings, numberLiteral, objectiveKernelSources } from '../core/kernel-source.js';
import { parametersAsLogits, singleNodeEstimates, type ObjectiveValues, type SingleNodeStages } from '../models/single-node.js';
import type { ObjectiveKernels, Problem, StagedProblem } from '../core/suite.js';

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

/**
 * A kernel problem as stages: no upstream layer (every row's logits are the trained logits), the
 * estimator at the backend's hard node, the kernel objective on the host, identity backward. Backends
 * that do not fuse the problem's node kind into one loop run it this way; the hard nodes draw the
 * fused loops' noise streams, so both ways give the same estimates.
 */
export function kernelProblemAsStages(problem: Problem): StagedProblem {
  const width = problem.dim;
  const objective = hostObjective(problem.objective, width);
  const stages: SingleNodeStages<null> = {
    ...parametersAsLogits(width),
    objective: async (_pass, h, _evaluations, wantGradient) => objective(h, h.length / width, wantGradient),
  };
  return {
    kind: 'staged',
    nodeKind: problem.nodeKind,
    initialParameters: problem.initialLogits,
    ...(problem.recordedParams ? { recordedParams: problem.recordedParams } : {}),
    prepare(context) {
      const node = context.hardNode(width, problem.classes === undefined ? {} : { classes: problem.classes });
      return {
        estimates: (params, count, rng, step) => singleNodeEstimates(stages, node, context.estimator, params, count, rng, step),
        referenceGradient: async (params) => ({ kind: problem.referenceKind ?? 'closed-form', gradient: problem.exactGradient(params) }),
        evaluate: async (params) => ({ loss: problem.exactLoss(params) }),
        dispose() {},
      };
    },
  };
}
