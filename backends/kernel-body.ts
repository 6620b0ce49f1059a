import type { KernelFunction } from '../core/estimator.js';
import { kernelParameterNames, namedFunctionSource } from '../core/kernel-source.js';

/**
 * What the CPU loop generator reads from a kernel's body text: which declared arguments it actually
 * uses (a declared but unused argument would still cost a bounds-checked load per element in the
 * generated loop), and forms of the objective kernels that take one row of h, or one element of it,
 * instead of the array of rows. All of it looks only at structure, never at names of functions, and
 * answers conservatively: anything unusual counts as used, or as not rewritable.
 */

/** The body of a kernel (from its first `{`), without comments. */
function kernelBody(fn: KernelFunction, role: string): string {
  const { source } = namedFunctionSource(fn, role);
  return source.slice(source.indexOf('{')).replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
}

const wordPattern = (name: string) => new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`);
/** Ways a body could reach its arguments without naming them. */
const indirect = /(?<![\w$])(arguments|eval)(?![\w$])/;
/** An assignment, compound assignment, increment or decrement of `name`. */
const assignmentPattern = (name: string) =>
  new RegExp(`(?<![\\w$.])${name}\\s*(?:[-+*/%&|^]|\\*\\*|<<|>>>?)?=(?!=)|(?:\\+\\+|--)\\s*${name}(?![\\w$])|(?<![\\w$.])${name}\\s*(?:\\+\\+|--)`);

/** Whether the kernel's body mentions the declared argument `name` (true for bodies that could reach it indirectly). */
export function kernelReadsArgument(fn: KernelFunction, name: string, role: string): boolean {
  if (!kernelParameterNames(fn, role).includes(name)) return false;
  const body = kernelBody(fn, role);
  return indirect.test(body) || wordPattern(name).test(body);
}

/**
 * The objective kernel with every read `read` of h replaced by `h` itself (renamed `<name><suffix>`),
 * or null when it declares no `h`, uses h in any other way, assigns one of the `indices` the read
 * uses, or could reach its arguments indirectly.
 */
function rewriteReadsOfH(fn: KernelFunction, role: string, read: RegExp, indices: readonly string[], suffix: string): KernelFunction | null {
  if (!kernelParameterNames(fn, role).includes('h')) return null;
  const { name, source } = namedFunctionSource(fn, role);
  const body = kernelBody(fn, role);
  const assigned = indices.some((index) => assignmentPattern(index).test(body));
  if (indirect.test(body) || assigned || wordPattern('h').test(body.replace(read, ''))) return null;
  const rewritten = `function ${name}${suffix}${source.slice(source.indexOf('('), source.indexOf('{'))}${body.replace(read, 'h')}`;
  return new Function(`return ${rewritten}`)() as KernelFunction;
}

/**
 * For an objective gradient `gradient(h, row, element, ...)` whose body reads `h` only as
 * `h[row][element]`: the same kernel with `h` as that one number, so that a one-pass loop can hand it
 * the element's h from a register. Null when the body does anything else with `h`.
 */
export function objectiveGradientAtElement(fn: KernelFunction, role: string): KernelFunction | null {
  return rewriteReadsOfH(fn, role, /(?<![\w$.])h\s*\[\s*row\s*\]\s*\[\s*element\s*\]/g, ['row', 'element'], 'AtElement');
}

/**
 * For an objective kernel whose body reads `h` only as `h[row]`: the same kernel with `h` as that
 * row (a typed array), so that it reads the row directly rather than through the array of rows.
 * Null when the body does anything else with `h`.
 */
export function objectiveKernelOnRow(fn: KernelFunction, role: string): KernelFunction | null {
  return rewriteReadsOfH(fn, role, /(?<![\w$.])h\s*\[\s*row\s*\]/g, ['row'], 'OnRow');
}
