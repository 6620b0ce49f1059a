import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EstimatorDefinition } from '../estimators/estimator.js';
import type { SuiteDefinition } from '../suites/suite.js';
import { errorMessage, UsageError } from './errors.js';
import type { Registries } from './types.js';

function isEstimator(value: unknown): value is EstimatorDefinition {
  return typeof value === 'object' && value !== null && 'id' in value && 'kernels' in value && 'family' in value;
}

function isSuite(value: unknown): value is SuiteDefinition {
  return typeof value === 'object' && value !== null && 'id' in value && 'create' in value && 'nodeKind' in value;
}

/** Adds plug-ins to registries, refusing an id that is already taken. */
export function withPlugins(
  registries: Registries, plugins: { estimators?: readonly EstimatorDefinition[]; suites?: readonly SuiteDefinition[] }, source: string,
): Registries {
  const estimators = new Map(registries.estimators);
  const suites = new Map(registries.suites);
  for (const estimator of plugins.estimators ?? []) {
    if (estimators.has(estimator.id) || suites.has(estimator.id)) throw new UsageError(`${source}: id '${estimator.id}' is already registered`);
    estimators.set(estimator.id, estimator);
  }
  for (const suite of plugins.suites ?? []) {
    if (estimators.has(suite.id) || suites.has(suite.id)) throw new UsageError(`${source}: id '${suite.id}' is already registered`);
    suites.set(suite.id, suite);
  }
  return { ...registries, estimators, suites };
}

/**
 * Loads estimator and suite plug-ins from JavaScript modules (`--plugin ./my-estimator.js`): every
 * export that is an estimator or suite definition is registered under its id.
 */
export async function loadPluginModules(registries: Registries, paths: readonly string[]): Promise<Registries> {
  let result = registries;
  for (const path of paths) {
    let exports: Record<string, unknown>;
    try {
      exports = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`cannot load plug-in '${path}': ${errorMessage(error).split('\n')[0]}`);
    }
    const values = Object.values(exports);
    const estimators = values.filter(isEstimator);
    const suites = values.filter(isSuite);
    if (estimators.length + suites.length === 0) {
      throw new UsageError(`plug-in '${path}' exports no estimator or suite definition (see README, "Adding an estimator")`);
    }
    result = withPlugins(result, { estimators, suites }, `plug-in '${path}'`);
  }
  return result;
}
