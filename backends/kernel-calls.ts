import { evaluationCount, type EstimatorDefinition } from '../core/estimator.js';
import { numericValues, type ParameterValues } from '../core/parameters.js';
import type { HardOp, ObjectiveKernels } from '../core/suite.js';
import { callExpression, literalBindings, numberLiteral } from '../core/kernel-source.js';
import { stateBindings } from '../core/estimator-state.js';

/** Expressions (in the generated code's own variable names) for one element's kernel arguments. */
export interface ElementArguments {
  readonly theta: string;
  readonly probability: string;
  readonly u: string;
  readonly v: string;
  readonly evaluation: string;
  /** Index of the element within its row (the unit, for Bernoulli and deterministic nodes). */
  readonly unit: string;
  /** Training step (0 when scoring), so that kernels can anneal (slope-annealed estimators). */
  readonly step: string;
}

/** What the gradient kernel sees beyond the element's own arguments. */
export interface GradientArguments {
  readonly h: string;
  readonly dLdh: string;
  readonly objective: string;
  readonly objectiveSum: string;
  /** The array of this sample's objective values, and the index of its evaluation 0 in it. */
  readonly objectives: string;
  readonly objectivesStart: string;
  readonly baseline: string;
}

/** What `gradient` sees beyond `rowTerm`: the sum of the row terms over the sample (see EstimatorKernels.rowTerm). */
export interface RowTermArguments {
  readonly rowTermSum: string;
}

/**
 * Builds the calls of a cell's estimator kernels with arguments bound by name (see EstimatorKernels
 * for the names), shared by every backend. The estimator's parameters are bound by their own names
 * as literals, as are `dim` and `evaluations`; its state values (see EstimatorState) by their names
 * to entries of the runtime array `state`, which every generated kernel that calls these receives.
 */
export function estimatorKernelCalls(estimator: EstimatorDefinition, estimatorParams: ParameterValues, dim: number) {
  const constants = { ...literalBindings(numericValues(estimatorParams)), dim: numberLiteral(dim), evaluations: numberLiteral(evaluationCount(estimator, estimatorParams)), ...stateBindings(estimator, 'state') };
  const elementBindings = (element: ElementArguments) => ({
    ...constants,
    theta: element.theta, p: element.probability, u: element.u, v: element.v,
    evaluation: element.evaluation, unit: element.unit, step: element.step,
  });
  const role = (kernel: string) => `${estimator.id} ${kernel}`;
  return {
    forward: (element: ElementArguments) => callExpression(estimator.kernels.forward, elementBindings(element), role('forward')),
    /** `hostTerms`: the expressions of the estimator's host terms for this element (see core/host-terms.ts), on the hard-node paths. */
    gradient: (element: ElementArguments, more: GradientArguments & RowTermArguments, hostTerms: Readonly<Record<string, string>> = {}) =>
      callExpression(estimator.kernels.gradient, { ...elementBindings(element), ...more, ...hostTerms }, role('gradient')),
    /** The row term's call, or null when the estimator has none (then `rowTermSum` is 0). */
    rowTerm: (element: ElementArguments, more: GradientArguments) =>
      (estimator.kernels.rowTerm ? callExpression(estimator.kernels.rowTerm, { ...elementBindings(element), ...more }, role('rowTerm')) : null),
    baselineWeight: (element: ElementArguments, h: string) =>
      estimator.kernels.baselineWeight
        ? callExpression(estimator.kernels.baselineWeight, { ...elementBindings(element), h }, role('baselineWeight'))
        : null,
  };
}

/**
 * The call of a deterministic node's op for one element, with `theta`, `unit`, `dim` and the op's
 * constants bound by name (the same binding rules as the estimator's kernels).
 */
export function hardOpCall(op: HardOp, dim: number, element: Pick<ElementArguments, 'theta' | 'unit'>): string {
  const bindings = { ...literalBindings(op.constants), dim: numberLiteral(dim), theta: element.theta, unit: element.unit };
  return callExpression(op.kernel, bindings, `hard op ${op.id}`);
}

/** Calls of a kernel objective's value and gradient, with `h`, `row`, `element`, `dim` and the suite's constants bound by name. */
export function objectiveKernelCalls(objective: ObjectiveKernels, dim: number) {
  const constants = { ...literalBindings(objective.constants), dim: numberLiteral(dim) };
  return {
    value: (h: string, row: string) => callExpression(objective.value, { ...constants, h, row }, 'objective value'),
    gradient: (h: string, row: string, element: string) =>
      callExpression(objective.gradient, { ...constants, h, row, element }, 'objective gradient'),
  };
}
