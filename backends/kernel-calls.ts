import type { CellRequest } from './backend.js';
import { callExpression, numberLiteral, parameterArguments } from './kernel-source.js';

/** Expressions (in the generated code's own variable names) for one element's kernel arguments. */
export interface ElementArguments {
  readonly theta: string;
  readonly probability: string;
  readonly u: string;
  readonly v: string;
  readonly evaluation: string;
}

/**
 * Builds the calls of a cell's kernel functions with the argument order of the estimator contract
 * (see EstimatorKernels) and the suite contract (see ObjectiveKernels), shared by every backend.
 */
export function kernelCalls(request: CellRequest) {
  const { estimator, estimatorParams, problem } = request;
  const params = parameterArguments(estimator, estimatorParams);
  const constants = problem.objective.constants.map(numberLiteral);
  return {
    forward: (element: ElementArguments) =>
      callExpression(estimator.kernels.forward, [element.theta, element.probability, element.u, element.v, element.evaluation, ...params]),
    gradient: (element: ElementArguments, more: { h: string; dLdh: string; objective: string; objectiveSum: string; baseline: string }) =>
      callExpression(estimator.kernels.gradient, [
        element.theta, element.probability, element.u, element.v, more.h, more.dLdh, more.objective, more.objectiveSum, more.baseline,
        element.evaluation, ...params,
      ]),
    baselineWeight: (element: ElementArguments, h: string) =>
      estimator.kernels.baselineWeight
        ? callExpression(estimator.kernels.baselineWeight, [element.theta, element.probability, element.u, element.v, h, ...params])
        : null,
    objectiveValue: (h: string, row: string, dim: string) => callExpression(problem.objective.value, [h, row, dim, ...constants]),
    objectiveGradient: (h: string, row: string, element: string, dim: string) =>
      callExpression(problem.objective.gradient, [h, row, element, dim, ...constants]),
  };
}
