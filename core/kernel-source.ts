import type { EstimatorDefinition, KernelFunction, UnitKernelFunction } from './estimator.js';
import type { ObjectiveKernels } from './suite.js';

/** The source of a kernel function with its declared name, checked to be a plain named `function`. */
export function namedFunctionSource(fn: KernelFunction | UnitKernelFunction, role: string): { name: string; source: string } {
  const source = fn.toString();
  const match = /^function\s+([A-Za-z_$][\w$]*)\s*\(/.exec(source);
  if (!match) {
    throw new Error(`${role} must be a named \`function name(...) {...}\` declaration (got: ${source.slice(0, 60)}...)`);
  }
  return { name: match[1], source };
}

/** The parameter names of a kernel function, in declaration order (plain identifiers only). */
export function kernelParameterNames(fn: KernelFunction | UnitKernelFunction, role: string): string[] {
  const { source } = namedFunctionSource(fn, role);
  const open = source.indexOf('(');
  const close = source.indexOf(')', open);
  const list = source.slice(open + 1, close).replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const names = list.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
  for (const name of names) {
    if (!/^[A-Za-z_$][\w$]*$/.test(name)) {
      throw new Error(`${role}: kernel parameter '${name}' must be a plain name (no defaults, destructuring or rest parameters)`);
    }
  }
  return names;
}

/**
 * A call of a kernel function with its arguments bound by name: each declared parameter receives the
 * expression of the same name in `bindings`. Kernels declare only what they read, in any order, so a
 * new argument (a unit index, the training step) breaks no existing plug-in.
 * @throws when the kernel declares a parameter the harness does not provide, naming the ones it does.
 */
export function callExpression(fn: KernelFunction | UnitKernelFunction, bindings: Readonly<Record<string, string>>, role: string): string {
  const { name } = namedFunctionSource(fn, role);
  const args = kernelParameterNames(fn, role).map((parameter) => {
    const expression = bindings[parameter];
    if (expression === undefined) {
      throw new Error(`${role}: kernel parameter '${parameter}' is not an argument the harness provides; available: ${Object.keys(bindings).join(', ')}`);
    }
    return expression;
  });
  return `${name}(${args.join(', ')})`;
}

/** Every helper a cell needs, each once, in declaration order. */
export function helperSources(estimator: EstimatorDefinition, objective: ObjectiveKernels | null): string[] {
  const seen = new Map<string, string>();
  for (const helper of [...(estimator.helpers ?? []), ...(objective?.helpers ?? [])]) {
    const { name, source } = namedFunctionSource(helper, `helper of ${estimator.id}`);
    seen.set(name, source);
  }
  return [...seen.values()];
}

/**
 * Up to this many evaluations per estimate, the CPU's generated loops spell each evaluation out (its
 * index a literal, which V8 folds into offsets and into a kernel's branch on it); beyond, they loop.
 * 4 covers ARM's and DisARM's pairs and REINFORCE leave-one-out's default k.
 */
export const unrolledEvaluations = 4;

/** Formats a number as a JavaScript literal that is also valid inside gpu.js kernels. */
export function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`kernel constant must be finite, got ${value}`);
  return String(value);
}

/** Named numeric values as literal bindings. */
export function literalBindings(values: Readonly<Record<string, number>>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, numberLiteral(value)]));
}

/** Sources of a kernel objective's helpers, value and gradient kernels, helpers first (for code that compiles the objective alone). */
export function objectiveKernelSources(objective: ObjectiveKernels): string[] {
  return [
    ...(objective.helpers ?? []).map((helper) => namedFunctionSource(helper, 'objective helper').source),
    namedFunctionSource(objective.value, 'objective value').source,
    namedFunctionSource(objective.gradient, 'objective gradient').source,
  ];
}
