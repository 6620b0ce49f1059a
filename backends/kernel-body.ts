import type { KernelFunction } from '../estimators/estimator.js';
import { kernelParameterNames, namedFunctionSource } from './kernel-source.js';

/**
 * What the CPU loop generator reads from a kernel's body text: which declared arguments it actually
 * uses (a declared but unused argument would still cost a bounds-checked load per element in the
 * generated loop), and the element form of a separable objective's gradient. Both look only at
 * structure, never at names of functions, and answer conservatively: anything unusual counts as used
 * or as not rewritable.
 */

/** The body of a kernel (from its first `{`), without comments. */
function kernelBody(fn: KernelFunction, role: string): string {
  const { source } = namedFunctionSource(fn, role);
  return source.slice(source.indexOf('{')).replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
}

const wordPattern = (name: string) => new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`);

/** Whether the kernel's body mentions the declared argument `name` (true for bodies that could reach it indirectly). */
export function kernelReadsArgument(fn: KernelFunction, name: string, role: string): boolean {
  if (!kernelParameterNames(fn, role).includes(name)) return false;
  const body = kernelBody(fn, role);
  return /(?<![\w$])(arguments|eval)(?![\w$])/.test(body) || wordPattern(name).test(body);
}

/**
 * For an objective gradient `gradient(h, row, element, ...)` whose body reads `h` only as
 * `h[row][element]` and never assigns `row` or `element`: the same kernel with `h` as that one number,
 * so that a one-pass loop can hand it the element's h from a register. Null when the body does
 * anything else with `h` (the caller then keeps h in rows).
 */
export function objectiveGradientAtElement(fn: KernelFunction, role: string): KernelFunction | null {
  const names = kernelParameterNames(fn, role);
  if (!names.includes('h')) return fn;
  const { name, source } = namedFunctionSource(fn, role);
  const bodyStart = source.indexOf('{');
  const body = kernelBody(fn, role);
  const read = /(?<![\w$.])h\s*\[\s*row\s*\]\s*\[\s*element\s*\]/g;
  const assigned = /(?<![\w$.])(row|element)\s*(?:[-+*/%&|^]|\*\*|<<|>>>?)?=(?!=)|(?:\+\+|--)\s*(?:row|element)(?![\w$])|(?<![\w$.])(?:row|element)\s*(?:\+\+|--)/;
  if (/(?<![\w$])(arguments|eval)(?![\w$])/.test(body) || assigned.test(body) || wordPattern('h').test(body.replace(read, ''))) return null;
  const rewritten = `function ${name}AtElement${source.slice(source.indexOf('('), bodyStart)}${body.replace(read, 'h')}`;
  return new Function(`return ${rewritten}`)() as KernelFunction;
}
