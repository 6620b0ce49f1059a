import { resolve } from 'node:path';
import { UsageError } from './errors.js';
import { parameterProblem, withDefaults, type ParameterSpecs } from './parameters.js';
import type { BenchConfig, Registries } from './types.js';

/** Options as the CLI (or a caller) gives them; lists may be repeated flags or comma-separated. */
export interface RawBenchOptions {
  readonly suite?: string | readonly string[];
  readonly estimator?: string | readonly string[];
  readonly backend?: string | readonly string[];
  readonly samples?: number;
  readonly batchSize?: number;
  readonly steps?: number;
  readonly trainSamples?: number;
  readonly trainSeeds?: number;
  readonly learningRate?: number;
  readonly optimizer?: string;
  readonly timingIterations?: number;
  readonly seed?: number;
  readonly set?: string | readonly string[];
  readonly out?: string;
}

/** Defaults of every option; the CLI's help shows these. */
export const optionDefaults = Object.freeze({
  samples: 20000,
  batchSize: 8192,
  steps: 200,
  /** Training defaults where neither the command line nor the suite sets them. */
  trainSamples: 8,
  trainSeeds: 3,
  learningRate: 0.05,
  timingIterations: 20,
  seed: 1,
  out: 'bench-out',
});

function splitList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const items = (typeof value === 'string' ? [value] : value).flatMap((item) => String(item).split(','));
  return items.map((item) => item.trim()).filter((item) => item.length > 0);
}

function selectIds(kind: string, flag: string, requested: string[], registry: ReadonlyMap<string, unknown>): string[] {
  if (requested.length === 0) return [...registry.keys()];
  for (const id of requested) {
    if (!registry.has(id)) {
      throw new UsageError(`unknown ${kind} '${id}' in --${flag}; valid ${kind}s: ${[...registry.keys()].join(', ')}`);
    }
  }
  return [...new Set(requested)];
}

function checkInteger(name: string, value: number, minimum: number): number {
  if (!Number.isInteger(value) || value < minimum) {
    throw new UsageError(`--${name} must be a whole number >= ${minimum}, got ${value}`);
  }
  return value;
}

interface Setting {
  readonly text: string;
  readonly scope: string | null;
  readonly name: string;
  readonly value: number;
}

function parseSetting(text: string): Setting {
  const match = /^(?:([a-z0-9][a-z0-9-]*)\.)?([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(text.trim());
  if (!match) {
    throw new UsageError(`malformed --set '${text}': use --set key=value or --set id.key=value (for example --set dim=256 or --set gumbel-softmax.tau=0.5)`);
  }
  const value = Number(match[3]);
  if (match[3].trim() === '' || !Number.isFinite(value)) {
    throw new UsageError(`malformed --set '${text}': '${match[3]}' is not a finite number`);
  }
  return { text, scope: match[1] ?? null, name: match[2], value };
}

/**
 * Applies `--set` overrides to the parameters of the selected suites and estimators.
 * An unscoped key sets every selected plug-in that declares it; a scoped one sets that plug-in only.
 */
function resolveParams(
  settings: Setting[], plugins: ReadonlyMap<string, ParameterSpecs>, registeredIds: ReadonlySet<string>,
): Record<string, Record<string, number>> {
  const overrides = new Map<string, Record<string, number>>([...plugins.keys()].map((id) => [id, {}]));
  for (const setting of settings) {
    if (setting.scope !== null && !registeredIds.has(setting.scope)) {
      throw new UsageError(`--set '${setting.text}': no suite or estimator '${setting.scope}'; valid ids: ${[...registeredIds].join(', ')}`);
    }
    const targets = [...plugins].filter(([id, specs]) => (setting.scope === null || setting.scope === id) && setting.name in specs);
    if (targets.length === 0) {
      const known = [...plugins].flatMap(([id, specs]) => Object.keys(specs).map((name) => `${id}.${name}`));
      if (setting.scope !== null && !plugins.has(setting.scope)) continue; // a plug-in that is not selected in this run
      throw new UsageError(`--set '${setting.text}': unknown parameter '${setting.name}'; parameters of the selected suites and estimators: ${known.join(', ') || 'none'}`);
    }
    for (const [id] of targets) overrides.get(id)![setting.name] = setting.value;
  }
  const resolved: Record<string, Record<string, number>> = {};
  for (const [id, specs] of plugins) {
    const values = withDefaults(specs, overrides.get(id));
    for (const [name, spec] of Object.entries(specs)) {
      const problem = parameterProblem(name, spec, values[name]);
      if (problem) throw new UsageError(`invalid parameter for ${id}: ${problem} (${spec.description})`);
    }
    resolved[id] = Object.freeze(values);
  }
  return resolved;
}

/** Resolves and validates raw options into one frozen configuration; throws UsageError on bad input. */
export function resolveConfig(raw: RawBenchOptions, registries: Registries): BenchConfig {
  const suites = selectIds('suite', 'suite', splitList(raw.suite), registries.suites);
  const estimators = selectIds('estimator', 'estimator', splitList(raw.estimator), registries.estimators);
  const backends = selectIds('backend', 'backend', splitList(raw.backend), registries.backends);
  const samples = checkInteger('samples', raw.samples ?? optionDefaults.samples, 2);
  const batchSize = checkInteger('batch-size', raw.batchSize ?? optionDefaults.batchSize, 1);
  const steps = checkInteger('steps', raw.steps ?? optionDefaults.steps, 0);
  // Unset training options stay unset: each suite supplies its own default (a network's learning rate).
  const trainSamples = raw.trainSamples === undefined ? undefined : checkInteger('train-samples', raw.trainSamples, 1);
  const trainSeeds = checkInteger('train-seeds', raw.trainSeeds ?? optionDefaults.trainSeeds, 1);
  const timingIterations = checkInteger('timing-iterations', raw.timingIterations ?? optionDefaults.timingIterations, 0);
  const seed = checkInteger('seed', raw.seed ?? optionDefaults.seed, 0);
  const learningRate = raw.learningRate;
  if (learningRate !== undefined && (!(learningRate > 0) || !Number.isFinite(learningRate))) {
    throw new UsageError(`--learning-rate must be a positive number, got ${learningRate}`);
  }
  const optimizer = raw.optimizer;
  if (optimizer !== undefined && optimizer !== 'adam' && optimizer !== 'sgd') {
    throw new UsageError(`--optimizer must be adam or sgd, got '${optimizer}'`);
  }
  const settings = splitList(raw.set).map(parseSetting);
  const registeredIds = new Set([...registries.suites.keys(), ...registries.estimators.keys()]);
  const params = resolveParams(
    settings,
    new Map<string, ParameterSpecs>([
      ...suites.map((id) => [id, registries.suites.get(id)!.params] as const),
      ...estimators.map((id) => [id, registries.estimators.get(id)!.params] as const),
    ]),
    registeredIds,
  );
  const suiteParams = Object.fromEntries(suites.map((id) => [id, params[id]]));
  const estimatorParams = Object.fromEntries(estimators.map((id) => [id, params[id]]));
  return Object.freeze({
    suites,
    estimators,
    backends,
    samples,
    batchSize: Math.min(batchSize, samples),
    seed,
    training: Object.freeze({
      steps, batchSize, seeds: trainSeeds,
      ...(trainSamples !== undefined ? { samplesPerStep: trainSamples } : {}),
      ...(learningRate !== undefined ? { learningRate } : {}),
      ...(optimizer !== undefined ? { optimizer } : {}),
    }),
    timingIterations,
    suiteParams: Object.freeze(suiteParams),
    estimatorParams: Object.freeze(estimatorParams),
    outDir: resolve(raw.out ?? optionDefaults.out),
  });
}
