import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { ParameterGrid, ParameterSpecs } from '../core/parameters.js';
import { checkCellSize } from './cell-size.js';
import { gridPoints, plannedCount } from './plan.js';
import { runCodeProvenance } from './provenance.js';
import { unsupportedPairLines, unsupportedPairs } from './support.js';
import { parseSettings, resolveGrids } from './settings.js';
import { parseSweepKinds, resolveSweepSettings } from './sweep-grid.js';
import { optimizerIds, type BenchConfig, type OptimizerId, type Registries } from '../core/types.js';

const isOptimizerId = (value: string): value is OptimizerId => (optimizerIds as readonly string[]).includes(value);

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
  /** One seed, or several (`1,2,3`): one cell per seed. */
  readonly seed?: number | string | readonly (number | string)[];
  readonly set?: string | readonly string[];
  readonly sweep?: string | readonly string[];
  /** Training steps to score along each trajectory (`0,50,200`): whole, increasing, at most `steps`. */
  readonly scoreAt?: number | string | readonly (number | string)[];
  readonly threads?: number;
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

/**
 * Upper bounds of the counts: beyond them a run takes days or exhausts memory, which is almost always a
 * typo (an extra zero). Split such work with --shard instead.
 */
export const optionLimits = Object.freeze({
  samples: 100_000_000,
  batchSize: 1 << 20,
  steps: 1_000_000,
  trainSamples: 1_000_000,
  trainSeeds: 1000,
  timingIterations: 10_000,
  threads: 256,
  seeds: 1000,
  /** Single-sample estimates x elements (units x classes) x evaluations x noise draws of one cell: a few minutes of one CPU core at the limit (about 10 ns per element-estimate). */
  elementEstimatesPerCell: 2 ** 34,
  /** Cells and sweep series planned in one run (before sharding). */
  plannedWork: 100_000,
});

function splitList(flag: string, value: string | number | readonly (string | number)[] | undefined): string[] {
  if (value === undefined) return [];
  const items = (Array.isArray(value) ? value : [value]).flatMap((item) => String(item).split(','));
  const ids = items.map((item) => item.trim()).filter((item) => item.length > 0);
  // A flag given with nothing in it is a mistake, not "everything": leave the flag out for that.
  if (ids.length === 0) throw new UsageError(`--${flag} is empty; give a comma-separated list, or leave the flag out for the default`);
  return ids;
}

function selectIds<T>(
  kind: string, flag: string, requested: string[], registry: ReadonlyMap<string, T>, byDefault: (entry: T) => boolean = () => true,
): string[] {
  if (requested.length === 0) return [...registry].filter(([, entry]) => byDefault(entry)).map(([id]) => id);
  for (const id of requested) {
    if (!registry.has(id)) {
      throw new UsageError(`unknown ${kind} '${id}' in --${flag}; valid ${kind}s: ${[...registry.keys()].join(', ')}`);
    }
  }
  return [...new Set(requested)];
}

function checkInteger(name: string, value: number, minimum: number, maximum: number): number {
  if (!Number.isInteger(value) || value < minimum) throw new UsageError(`--${name} must be a whole number >= ${minimum}, got ${value}`);
  if (value > maximum) throw new UsageError(`--${name} must be at most ${maximum}, got ${value}; split larger work over runs (--shard, --resume)`);
  return value;
}

function parseSeeds(raw: RawBenchOptions['seed']): number[] {
  const texts = raw === undefined ? [String(optionDefaults.seed)] : splitList('seed', raw);
  const seeds = [...new Set(texts.map((text) => {
    if (!/^\d+$/.test(text)) throw new UsageError(`--seed must be whole numbers >= 0, comma-separated, got '${text}'`);
    return checkInteger('seed', Number(text), 0, 2 ** 32 - 1);
  }))];
  if (seeds.length > optionLimits.seeds) throw new UsageError(`--seed lists ${seeds.length} seeds, more than ${optionLimits.seeds}`);
  return seeds;
}

/**
 * The `--score-at` steps: whole numbers, increasing, none beyond `steps`; a run that does not train
 * (`--steps 0`) has no trajectory to score.
 */
export function parseScoreAt(raw: RawBenchOptions['scoreAt'], steps: number): number[] | undefined {
  if (raw === undefined) return undefined;
  const texts = splitList('score-at', raw);
  const scoreAt = texts.map((text) => {
    if (!/^\d+$/.test(text)) throw new UsageError(`--score-at must be whole numbers of training steps >= 0, comma-separated (e.g. 0,50,200), got '${text}'`);
    return Number(text);
  });
  const unordered = scoreAt.findIndex((step, index) => index > 0 && step <= scoreAt[index - 1]);
  if (unordered > 0) throw new UsageError(`--score-at steps must increase, got ${scoreAt[unordered]} after ${scoreAt[unordered - 1]}; list each step once, in order`);
  if (steps === 0) throw new UsageError('--score-at scores along training, but --steps 0 trains nothing; give --steps at least the last --score-at step');
  const last = scoreAt[scoreAt.length - 1];
  if (last > steps) throw new UsageError(`--score-at step ${last} is beyond --steps ${steps}; give --steps ${last} or more, or score at earlier steps`);
  return scoreAt;
}

/** Resolves and validates raw options into one frozen configuration; throws UsageError on bad input. */
export function resolveConfig(raw: RawBenchOptions, registries: Registries): BenchConfig {
  // Suites that need input (a model file) or minutes of training run only when named.
  const suites = selectIds('suite', 'suite', raw.suite === undefined ? [] : splitList('suite', raw.suite), registries.suites, (suite) => suite.inDefaultRun !== false);
  const estimators = selectIds('estimator', 'estimator', raw.estimator === undefined ? [] : splitList('estimator', raw.estimator), registries.estimators);
  const backends = selectIds('backend', 'backend', raw.backend === undefined ? [] : splitList('backend', raw.backend), registries.backends);
  const samples = checkInteger('samples', raw.samples ?? optionDefaults.samples, 2, optionLimits.samples);
  const batchSize = checkInteger('batch-size', raw.batchSize ?? optionDefaults.batchSize, 1, optionLimits.batchSize);
  const steps = checkInteger('steps', raw.steps ?? optionDefaults.steps, 0, optionLimits.steps);
  // Unset training options stay unset: each suite supplies its own default (a network's learning rate).
  const trainSamples = raw.trainSamples === undefined ? undefined : checkInteger('train-samples', raw.trainSamples, 1, optionLimits.trainSamples);
  const trainSeeds = checkInteger('train-seeds', raw.trainSeeds ?? optionDefaults.trainSeeds, 1, optionLimits.trainSeeds);
  const timingIterations = checkInteger('timing-iterations', raw.timingIterations ?? optionDefaults.timingIterations, 0, optionLimits.timingIterations);
  const threads = checkInteger('threads', raw.threads ?? availableParallelism(), 1, optionLimits.threads);
  const seeds = parseSeeds(raw.seed);
  const scoreAt = parseScoreAt(raw.scoreAt, steps);
  const learningRate = raw.learningRate;
  if (learningRate !== undefined && (!(learningRate > 0) || !Number.isFinite(learningRate))) {
    throw new UsageError(`--learning-rate must be a positive number, got ${learningRate}`);
  }
  const optimizer = raw.optimizer;
  if (optimizer !== undefined && !isOptimizerId(optimizer)) {
    throw new UsageError(`--optimizer must be one of ${optimizerIds.join(', ')}, got '${optimizer}'`);
  }
  if (raw.out !== undefined && raw.out.trim() === '') throw new UsageError('--out is empty; give the output directory, or leave the flag out for bench-out');
  const registeredIds = new Set([...registries.suites.keys(), ...registries.estimators.keys()]);
  const grids = resolveGrids(
    raw.set === undefined ? [] : parseSettings(typeof raw.set === 'string' ? [raw.set] : raw.set),
    new Map<string, ParameterSpecs>([
      ...suites.map((id) => [id, registries.suites.get(id)!.params] as const),
      ...estimators.map((id) => [id, registries.estimators.get(id)!.params] as const),
    ]),
    registeredIds,
  );
  const suiteParams = Object.freeze(Object.fromEntries(suites.map((id) => [id, grids[id]])));
  for (const id of suites) {
    const paramsProblem = registries.suites.get(id)!.paramsProblem;
    const problem = paramsProblem && gridPoints(grids[id]).map((point) => paramsProblem(point)).find((line) => line !== null);
    if (problem) throw new UsageError(`${id}: ${problem}`);
  }
  const estimatorParams = Object.freeze(Object.fromEntries(estimators.map((id) => [id, grids[id]])));
  const sweepKinds = parseSweepKinds(raw.sweep === undefined ? [] : typeof raw.sweep === 'string' ? [raw.sweep] : raw.sweep);
  const sweeps = resolveSweepSettings(sweepKinds, suites, suiteParams, registries);
  const sweepSuites = [sweeps.logit?.suite, sweeps.scaling?.suite].filter((suite): suite is string => suite !== undefined);
  const leftOut = unsupportedPairs([...suites, ...sweepSuites], estimators, estimatorParams, registries);
  const config: BenchConfig = Object.freeze({
    suites,
    estimators,
    backends,
    samples,
    batchSize: Math.min(batchSize, samples),
    seeds: Object.freeze(seeds),
    training: Object.freeze({
      steps, batchSize, seeds: trainSeeds,
      ...(trainSamples !== undefined ? { samplesPerStep: trainSamples } : {}),
      ...(learningRate !== undefined ? { learningRate } : {}),
      ...(optimizer !== undefined ? { optimizer } : {}),
      ...(scoreAt !== undefined ? { scoreAt: Object.freeze(scoreAt) } : {}),
    }),
    timingIterations,
    suiteParams,
    estimatorParams,
    sweeps: Object.freeze(sweeps),
    unsupportedPairs: Object.freeze(leftOut),
    code: Object.freeze(runCodeProvenance([...estimators, ...suites, ...sweepSuites], registries)),
    threads,
    outDir: resolve(raw.out ?? optionDefaults.out),
  });
  const planned = plannedCount(config);
  if (planned === 0) {
    const [first] = unsupportedPairLines(leftOut);
    throw new UsageError(`nothing to run: no selected estimator can run on a selected suite (${first}${leftOut.length > 1 ? `, and ${leftOut.length - 1} more` : ''}); choose other --estimator or --suite`);
  }
  if (planned > optionLimits.plannedWork) {
    throw new UsageError(`the grid plans ${planned} cells, more than ${optionLimits.plannedWork}; use fewer values per --set or split the grid over several runs`);
  }
  checkCellSize(samples, suiteParams, estimatorParams, registries, optionLimits.elementEstimatesPerCell);
  return config;
}
