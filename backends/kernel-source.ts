import type { EstimatorDefinition, KernelFunction } from '../estimators/estimator.js';
import type { ObjectiveKernels } from '../suites/suite.js';

/** The source of a kernel function with its declared name, checked to be a plain named `function`. */
export function namedFunctionSource(fn: KernelFunction, role: string): { name: string; source: string } {
  const source = fn.toString();
  const match = /^function\s+([A-Za-z_$][\w$]*)\s*\(/.exec(source);
  if (!match) {
    throw new Error(`${role} must be a named \`function name(...) {...}\` declaration (got: ${source.slice(0, 60)}...)`);
  }
  return { name: match[1], source };
}

/**
 * A call of a kernel function with as many of `args` as it declares: kernels may omit trailing
 * arguments they do not use (GLSL, unlike JavaScript, rejects calls with extra arguments).
 */
export function callExpression(fn: KernelFunction, args: readonly string[]): string {
  const { name } = namedFunctionSource(fn, 'kernel function');
  return `${name}(${args.slice(0, fn.length).join(', ')})`;
}

/** Every helper a cell needs, each once, in declaration order. */
export function helperSources(estimator: EstimatorDefinition, objective: ObjectiveKernels): string[] {
  const seen = new Map<string, string>();
  for (const helper of [...(estimator.helpers ?? []), ...(objective.helpers ?? [])]) {
    const { name, source } = namedFunctionSource(helper, `helper of ${estimator.id}`);
    seen.set(name, source);
  }
  return [...seen.values()];
}

/** Formats a number as a JavaScript literal that is also valid inside gpu.js kernels. */
export function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`kernel constant must be finite, got ${value}`);
  return String(value);
}

/** The estimator's parameters, in declaration order, as literals. */
export function parameterArguments(estimator: EstimatorDefinition, values: Readonly<Record<string, number>>): string[] {
  return Object.keys(estimator.params).map((name) => numberLiteral(values[name]));
}
