/**
 * `estibench list`: the registered estimators and suites (built-ins and `--plugin` modules) with
 * what a user picks them by: node kinds, parameters with defaults and ranges, citations and
 * unbiasedness claims. `--json` prints the same catalogue as one JSON document.
 */
import yargs from 'yargs';
import { evaluationCount, type EstimatorDefinition } from '../core/estimator.js';
import { isStringSpec, withDefaults, type ParameterSpecs } from '../core/parameters.js';
import type { SuiteDefinition } from '../core/suite.js';
import type { Registries } from '../core/types.js';
import { builtInBackends } from '../backends/index.js';
import { builtInEstimators } from '../estimators/index.js';
import { loadPluginModules } from '../harness/plugins.js';
import { builtInSuites } from '../suites/index.js';
import { rejectEmptyValues, withUsageContract } from './cli.js';

/** One parameter as `list` shows it: the spec without its check function. */
export interface ListedParameter {
  readonly name: string;
  readonly type: 'number' | 'string';
  readonly description: string;
  readonly default: number | string;
  /** Valid values in interval notation (`(0, inf)`, `[1, 64] whole`), or null for strings. */
  readonly range: string | null;
}

export interface ListedEstimator {
  readonly id: string;
  readonly title: string;
  readonly citation: string;
  readonly family: string;
  readonly nodeKinds: readonly string[];
  readonly claimsUnbiased: boolean;
  /** Objective evaluations per estimate at the default parameters. */
  readonly evaluations: number;
  readonly params: readonly ListedParameter[];
}

export interface ListedSuite {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly nodeKind: string;
  /** Whether a run without `--suite` includes it. */
  readonly inDefaultRun: boolean;
  readonly params: readonly ListedParameter[];
}

export interface Catalogue {
  readonly estimators: readonly ListedEstimator[];
  readonly suites: readonly ListedSuite[];
  readonly backends: readonly string[];
}

function listParameters(specs: ParameterSpecs): ListedParameter[] {
  return Object.entries(specs).map(([name, spec]) => {
    if (isStringSpec(spec)) return { name, type: 'string', description: spec.description, default: spec.default, range: null };
    const low = spec.minimum === undefined ? '(-inf' : `${spec.exclusiveMinimum ? '(' : '['}${spec.minimum}`;
    const high = spec.maximum === undefined ? 'inf)' : `${spec.maximum}]`;
    return { name, type: 'number', description: spec.description, default: spec.default, range: `${low}, ${high}${spec.integer ? ' whole' : ''}` };
  });
}

const listEstimator = (estimator: EstimatorDefinition): ListedEstimator => ({
  id: estimator.id,
  title: estimator.title,
  citation: estimator.citation,
  family: estimator.family,
  nodeKinds: [...estimator.nodeKinds],
  claimsUnbiased: estimator.claimsUnbiased,
  evaluations: evaluationCount(estimator, withDefaults(estimator.params)),
  params: listParameters(estimator.params),
});

const listSuite = (suite: SuiteDefinition): ListedSuite => ({
  id: suite.id,
  title: suite.title,
  description: suite.description,
  nodeKind: suite.nodeKind,
  inDefaultRun: suite.inDefaultRun !== false,
  params: listParameters(suite.params),
});

/** The catalogue of everything registered, in registry order. */
export function catalogue(registries: Registries): Catalogue {
  return {
    estimators: [...registries.estimators.values()].map(listEstimator),
    suites: [...registries.suites.values()].map(listSuite),
    backends: [...registries.backends.keys()],
  };
}

function parameterLines(params: readonly ListedParameter[]): string[] {
  return params.map((param) => `      ${param.name} = ${JSON.stringify(param.default)}${param.range ? ` in ${param.range}` : ''}: ${param.description}`);
}

/** The catalogue as text for a terminal. */
export function renderCatalogue(listed: Catalogue): string {
  const lines = ['Estimators (id: node kinds; family; unbiased?; evaluations per estimate)'];
  for (const estimator of listed.estimators) {
    lines.push(`  ${estimator.id}: ${estimator.nodeKinds.join(', ')}; ${estimator.family}; ` +
      `${estimator.claimsUnbiased ? 'claims unbiased' : 'biased'}; ${estimator.evaluations} evaluation${estimator.evaluations === 1 ? '' : 's'}`);
    lines.push(`    ${estimator.title}. ${estimator.citation}`, ...parameterLines(estimator.params));
  }
  lines.push('', 'Suites (id: node kind; in the default run?)');
  for (const suite of listed.suites) {
    lines.push(`  ${suite.id}: ${suite.nodeKind}; ${suite.inDefaultRun ? 'default run' : 'only when named with --suite'}`);
    lines.push(`    ${suite.title}: ${suite.description}`, ...parameterLines(suite.params));
  }
  lines.push('', `Backends: ${listed.backends.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** Runs `estibench list [--json] [--plugin FILE...]`. */
export async function listMain(args: readonly string[]): Promise<number> {
  rejectEmptyValues('estibench list', args);
  const parser = yargs([...args])
    .scriptName('estibench list')
    .usage('$0 [--json] [--plugin FILE...]\n\nLists estimators and suites: node kinds, parameters with defaults and ranges, citations, unbiasedness claims.')
    .options({
      json: { type: 'boolean', default: false, description: 'print the catalogue as JSON' },
      plugin: { type: 'string', array: true, requiresArg: true, description: 'plug-in module(s) (.js, .mjs, .ts, .mts) to list beside the built-ins' },
    });
  const argv = await withUsageContract(parser, 'estibench list').parse();
  const builtIns: Registries = { suites: builtInSuites, estimators: builtInEstimators, backends: builtInBackends };
  const registries = await loadPluginModules(builtIns, (argv.plugin ?? []).flatMap((path) => path.split(',')));
  const listed = catalogue(registries);
  process.stdout.write(argv.json ? `${JSON.stringify(listed, null, 2)}\n` : renderCatalogue(listed));
  return 0;
}
