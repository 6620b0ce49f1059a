import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { estimatorFamilies, nodeKinds, noiseKinds, reservedKernelArgumentNames, type EstimatorDefinition } from '../core/estimator.js';
import type { SuiteDefinition } from '../core/suite.js';
import { errorMessage, UsageError } from '../core/errors.js';
import { referenceKinds, type Registries } from '../core/types.js';
import { importPluginModule } from './plugin-import.js';
import { pluginSource, withPluginSource } from './provenance.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Registry ids: kebab-case, as `--estimator` and `--set id.key=value` expect. */
const idPattern = /^[a-z0-9][a-z0-9-]*$/;
/** Parameter names: what `--set key=value` and kernel arguments accept. */
const parameterNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Fields that make an export look like an estimator or a suite (and so be checked as one). */
const estimatorMarkers = ['kernels', 'family', 'claimsUnbiased', 'needs', 'noise', 'evaluations'];
const suiteMarkers = ['create', 'nodeKind'];

/** A field check: the problem with `value`, or null. */
type Check = (value: unknown) => string | null;
const required = (test: (value: unknown) => boolean, what: string): Check => (value) => (value === undefined ? `missing (${what})` : test(value) ? null : `must be ${what}`);
const optional = (check: Check): Check => (value) => (value === undefined ? null : check(value));
const string = required((value) => typeof value === 'string' && value.length > 0, 'a non-empty string');
const boolean = required((value) => typeof value === 'boolean', 'true or false');
const fn = required((value) => typeof value === 'function', 'a function');
const oneOf = (choices: readonly string[]) => required((value) => choices.includes(value as string), `one of ${choices.join(', ')}`);
const listOf = (choices: readonly string[], most: number, least = 0) =>
  required((value) => Array.isArray(value) && value.length >= least && value.length <= most && value.every((item) => choices.includes(item)),
    `a list of ${least > 0 ? `${least} to ` : 'at most '}${most} of ${choices.join(', ')}`);
const positiveWhole = required((value) => Number.isInteger(value) && (value as number) >= 1, 'a whole number >= 1');

/** Problems of a parameter table: each spec's fields, and names a kernel argument already takes. */
function paramsProblem(params: unknown, isEstimator: boolean): string | null {
  if (params === undefined) return "missing (an object of parameter specs; {} for none)";
  if (!isObject(params)) return 'must be an object of parameter specs';
  for (const [name, spec] of Object.entries(params)) {
    if (!parameterNamePattern.test(name)) return `has parameter '${name}': names are letters, digits and _`;
    if (isEstimator && reservedKernelArgumentNames.includes(name)) {
      return `has parameter '${name}', a name the harness binds to kernel arguments (${reservedKernelArgumentNames.join(', ')}); rename it`;
    }
    if (!isObject(spec)) return `.${name} must be an object with description and default`;
    if (typeof spec.description !== 'string') return `.${name}.description is missing (a string)`;
    const isString = spec.type === 'string';
    if (spec.type !== undefined && spec.type !== 'number' && !isString) return `.${name}.type must be 'number' or 'string'`;
    if (isString ? typeof spec.default !== 'string' : typeof spec.default !== 'number' || !Number.isFinite(spec.default)) {
      return `.${name}.default is missing or not a ${isString ? 'string' : 'finite number'}`;
    }
  }
  return null;
}

/** Problems of an estimator's state: its names (taken by no parameter or kernel argument) and its functions. */
function stateProblem(state: unknown, params: unknown): string | null {
  if (state === undefined) return null;
  if (!isObject(state)) return 'must be an object with names, init and update (see EstimatorState)';
  if (!Array.isArray(state.names) || state.names.length === 0) return "'names' must be a non-empty list of state value names";
  for (const name of state.names) {
    if (typeof name !== 'string' || !parameterNamePattern.test(name)) return `has value '${String(name)}': names are letters, digits and _`;
    if (reservedKernelArgumentNames.includes(name)) return `has value '${name}', a name the harness binds to kernel arguments; rename it`;
    if (isObject(params) && name in params) return `has value '${name}', which is also a parameter's name; rename one of them`;
  }
  if (new Set(state.names).size !== state.names.length) return 'names a value twice';
  for (const field of ['init', 'update']) if (typeof state[field] !== 'function') return `'${field}' must be a function`;
  if (state.varianceGradientSteps !== undefined && typeof state.varianceGradientSteps !== 'function') return "'varianceGradientSteps' must be a function";
  if (state.arrays !== undefined && !(isObject(state.arrays) && typeof state.arrays.init === 'function' && typeof state.arrays.update === 'function')) {
    return "'arrays' must be an object with init and update functions (see core/host-terms.ts)";
  }
  return null;
}

/** Problems of an estimator's host terms: name lists (taken by no parameter, state value or kernel argument) and a compute function. */
function hostTermsProblem(terms: unknown, params: unknown, state: unknown): string | null {
  if (terms === undefined) return null;
  if (!isObject(terms) || typeof terms.compute !== 'function') return 'must be an object with elementNames, rowNames and compute (see core/host-terms.ts)';
  const names = [terms.elementNames, terms.rowNames];
  if (!names.every(Array.isArray)) return "'elementNames' and 'rowNames' must be lists of names";
  const all = (names as unknown[][]).flat();
  for (const name of all) {
    if (typeof name !== 'string' || !parameterNamePattern.test(name)) return `has term '${String(name)}': names are letters, digits and _`;
    if (reservedKernelArgumentNames.includes(name)) return `has term '${name}', a name the harness binds to kernel arguments; rename it`;
    if ((isObject(params) && name in params) || (isObject(state) && Array.isArray(state.names) && state.names.includes(name))) {
      return `has term '${name}', which is also a parameter's or state value's name; rename one of them`;
    }
  }
  return new Set(all).size === all.length ? null : 'names a term twice';
}

const estimatorChecks: Record<string, Check> = {
  id: required((value) => typeof value === 'string' && idPattern.test(value), 'a kebab-case id such as my-estimator'),
  title: string,
  citation: string,
  family: oneOf(estimatorFamilies),
  nodeKinds: listOf(nodeKinds, nodeKinds.length, 1),
  claimsUnbiased: boolean,
  params: (value) => paramsProblem(value, true),
  noise: listOf(noiseKinds, 2),
  evaluations: required((value) => typeof value === 'function' || (Number.isInteger(value) && (value as number) >= 1), 'a whole number >= 1 or a function of the parameters'),
  noisePerEvaluation: optional(boolean),
  sampleEvaluations: optional(positiveWhole),
  needs: required((value) => isObject(value) && typeof value.objective === 'boolean' && typeof value.objectiveGradient === 'boolean', '{ objective: boolean, objectiveGradient: boolean }'),
  baselinePilotSamples: optional(positiveWhole),
  kernels: required(isObject, '{ forward, gradient } kernel functions'),
  'kernels.forward': fn,
  'kernels.gradient': fn,
  'kernels.baselineWeight': optional(fn),
  'kernels.rowTerm': optional(fn),
  helpers: optional(required((value) => Array.isArray(value) && value.every((item) => typeof item === 'function'), 'a list of functions')),
};

const suiteChecks: Record<string, Check> = {
  id: estimatorChecks.id,
  title: string,
  description: string,
  nodeKind: oneOf(nodeKinds),
  params: (value) => paramsProblem(value, false),
  referenceKinds: optional(listOf(referenceKinds, referenceKinds.length)),
  paramsProblem: optional(fn),
  create: fn,
};

/** The first problem of a definition against its checks, as `field: problem`, or null. */
function definitionProblem(definition: Json, checks: Record<string, Check>): string | null {
  for (const [path, check] of Object.entries(checks)) {
    const value = path.split('.').reduce<unknown>((object, part) => (isObject(object) ? object[part] : undefined), definition);
    if (path.includes('.') && !isObject(definition[path.split('.')[0]])) continue; // the parent's own check reports it
    const problem = check(value);
    if (!problem) continue;
    // A problem inside the field (`.tau.default is missing`) names the full path: 'params.tau.default' is missing.
    const inner = /^(\.[\w.]+) (.*)$/.exec(problem);
    return inner ? `'${path}${inner[1]}' ${inner[2]}` : `'${path}' ${problem}`;
  }
  return null;
}

function checkDefinition(kind: 'estimator' | 'suite', definition: unknown, source: string): void {
  const what = isObject(definition) && typeof definition.id === 'string' ? `${kind} '${definition.id}'` : `an ${kind}`;
  let problem = isObject(definition) ? definitionProblem(definition, kind === 'estimator' ? estimatorChecks : suiteChecks) : 'is not an object';
  if (!problem && kind === 'estimator' && isObject(definition)) {
    const inState = stateProblem(definition.state, definition.params);
    const inHostTerms = hostTermsProblem(definition.hostTerms, definition.params, definition.state);
    problem = inState ? `'state' ${inState}` : inHostTerms ? `'hostTerms' ${inHostTerms}` : null;
  }
  if (problem) throw new UsageError(`${source}: ${what}: ${problem} (see docs/extending.md)`);
}

/** Adds plug-ins to registries after checking their fields, refusing an id that is already taken. */
export function withPlugins(
  registries: Registries, plugins: { estimators?: readonly EstimatorDefinition[]; suites?: readonly SuiteDefinition[] }, source: string,
): Registries {
  const estimators = new Map(registries.estimators);
  const suites = new Map(registries.suites);
  for (const estimator of plugins.estimators ?? []) {
    checkDefinition('estimator', estimator, source);
    if (estimators.has(estimator.id) || suites.has(estimator.id)) throw new UsageError(`${source}: id '${estimator.id}' is already registered`);
    estimators.set(estimator.id, estimator);
  }
  for (const suite of plugins.suites ?? []) {
    checkDefinition('suite', suite, source);
    if (estimators.has(suite.id) || suites.has(suite.id)) throw new UsageError(`${source}: id '${suite.id}' is already registered`);
    suites.set(suite.id, suite);
  }
  return { ...registries, estimators, suites };
}

/** A plug-in path must name a regular file: importing a FIFO would block until something writes to it. */
function checkRegularFile(path: string): void {
  let kind: string;
  try {
    const stats = statSync(resolve(path));
    if (stats.isFile()) return;
    kind = stats.isDirectory() ? 'a directory' : stats.isFIFO() ? 'a FIFO' : 'not a regular file';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot load plug-in '${path}': ${code === 'ENOENT' ? 'no such file' : errorMessage(error)}`);
  }
  throw new UsageError(`cannot load plug-in '${path}': it is ${kind}; give the path of a JavaScript module file`);
}

/**
 * Loads estimator and suite plug-ins from JavaScript or TypeScript modules (`--plugin ./my-estimator.ts`): every
 * export that looks like an estimator (has `kernels`, `family`, ...) or a suite (has `create` or
 * `nodeKind`) is checked field by field and registered under its id.
 */
export async function loadPluginModules(registries: Registries, paths: readonly string[]): Promise<Registries> {
  let result = registries;
  for (const path of paths) {
    checkRegularFile(path);
    const exports = await importPluginModule(path);
    const values = Object.values(exports).filter(isObject);
    const estimators = values.filter((value) => estimatorMarkers.some((marker) => marker in value));
    const suites = values.filter((value) => !estimators.includes(value) && suiteMarkers.some((marker) => marker in value));
    if (estimators.length + suites.length === 0) {
      throw new UsageError(`plug-in '${path}' exports no estimator or suite definition (see docs/extending.md)`);
    }
    result = withPlugins(
      result,
      { estimators: estimators as unknown as EstimatorDefinition[], suites: suites as unknown as SuiteDefinition[] },
      `plug-in '${path}'`,
    );
    // Which file each definition came from, and its hash: results record it, and keys change with it.
    result = withPluginSource(result, [...estimators, ...suites].map((definition) => String(definition.id)), pluginSource(path));
  }
  return result;
}
