/**
 * Reading results.json: checked (one line naming what is wrong), and schema version 1 upgraded to
 * the version 2 shape so that every reporter handles one shape. Version 1 numbers are kept as they
 * are: the streams and formulas behind them did not change.
 */
import { readFile } from 'node:fs/promises';
import { workKey } from './cell-key.js';
import { optionDefaults } from './config.js';
import { withBuiltInTraits } from './estimator-traits.js';
import { errorMessage, UsageError } from '../core/errors.js';
import type { ParameterGrid, ParameterValues } from '../core/parameters.js';
import { cellStates, resultsSchemaVersion, type BenchConfig, type BenchResults, type CellResult, type SweepSettings } from '../core/types.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
/** Metrics that must be numbers when present. */
const numericMetrics = ['bias', 'biasStdErr', 'relativeBias', 'variance', 'mse', 'cosine', 'finalLoss', 'finalLossStdErr', 'nsPerEstimate', 'nsPerEstimateMad'];

/** What is wrong with a cell, or null. Numbers may be null where JSON could not hold NaN (a cosine of a zero gradient). */
function cellProblem(cell: unknown, version: number): string | null {
  if (!isObject(cell)) return 'is not an object';
  for (const field of ['suite', 'estimator', 'backend']) if (typeof cell[field] !== 'string') return `has no ${field} (a string)`;
  if (version >= 2 && typeof cell.key !== 'string') return 'has no key';
  if (!(cellStates as readonly unknown[]).includes(cell.state)) return `has state ${JSON.stringify(cell.state)}, not one of ${cellStates.join(', ')}`;
  if (cell.state !== 'completed') return typeof cell.error === 'string' ? null : 'is not completed but has no error message';
  if (!isObject(cell.metrics)) return 'is completed but has no metrics object';
  for (const field of numericMetrics) {
    const value = cell.metrics[field];
    if (value !== undefined && value !== null && typeof value !== 'number') return `has metrics.${field} = ${JSON.stringify(value)}, not a number`;
  }
  return null;
}

/** Checks the outline every reporter relies on; throws a UsageError naming the first problem. */
function checkOutline(parsed: unknown, source: string): Json {
  if (!isObject(parsed) || parsed.schemaVersion === undefined || !Array.isArray(parsed.cells) || !isObject(parsed.config) || !isObject(parsed.env)) {
    throw new UsageError(`${source} is not an estibench results.json (no schemaVersion, config, env or cells); write one with npm run bench`);
  }
  const version = parsed.schemaVersion;
  if (version !== 1 && version !== resultsSchemaVersion) {
    throw new UsageError(`${source} has results schema version ${JSON.stringify(version)}; this estibench reads versions 1 and ${resultsSchemaVersion} (upgrade estibench to read it)`);
  }
  const run = parsed.run;
  if (version === resultsSchemaVersion && (!isObject(run) || typeof run.state !== 'string' || !Array.isArray(run.missingCells))) {
    throw new UsageError(`${source} has no run record (run.state, run.missingCells); the file is damaged or not written by estibench`);
  }
  const config = parsed.config;
  for (const field of ['suites', 'estimators', 'backends', 'seeds']) {
    if (field === 'seeds' && version === 1) continue;
    if (!Array.isArray(config[field])) throw new UsageError(`${source}: config.${field} is not a list; the file is damaged`);
  }
  for (const [index, cell] of (parsed.cells as unknown[]).entries()) {
    const problem = cellProblem(cell, version);
    if (problem) throw new UsageError(`${source}: cell ${index} ${problem}; the file is damaged or not written by estibench`);
  }
  return parsed;
}

const wrap = (values: Readonly<Record<string, unknown>> | undefined): ParameterGrid =>
  Object.fromEntries(Object.entries(values ?? {}).map(([name, value]) => [name, [value as number]]));

function pick(values: Json, names: readonly string[]): ParameterValues {
  return Object.fromEntries(names.filter((name) => name in values).map((name) => [name, values[name] as number]));
}

/** A version 1 results object in the version 2 shape, with the keys version 2 would have given its cells. */
function upgradeVersion1(old: Json): BenchResults {
  const oldConfig = old.config as Json & { suiteParams?: Record<string, Json>; estimatorParams?: Record<string, Json>; seed?: number };
  const seed = typeof oldConfig.seed === 'number' ? oldConfig.seed : 1;
  const sweepsOld = (old.sweeps as { logit?: Json } | undefined)?.logit;
  const scalingOld = old.scaling as Json | undefined;
  const sweeps: SweepSettings = {
    ...(sweepsOld ? { logit: { suite: String(sweepsOld.suite), params: sweepsOld.params as ParameterValues } } : {}),
    ...(scalingOld ? { scaling: { suite: String(scalingOld.suite), params: { ...(oldConfig.suiteParams?.[String(scalingOld.suite)] ?? {}), dim: scalingOld.fixedDim } as ParameterValues } } : {}),
  };
  const env = old.env as BenchResults['env'];
  const cpuThreads = Number(env.backends?.find((backend) => backend.id === 'cpu')?.details?.threads);
  // Version 1 always wrote the training options; version 2 leaves unset ones to the suite, and version 1
  // had only kernel suites, for which the harness's defaults apply: values equal to those were defaults.
  const oldTraining = (oldConfig.training ?? {}) as Json;
  const training = Object.fromEntries(Object.entries(oldTraining).filter(([name, value]) =>
    !((name === 'samplesPerStep' && value === optionDefaults.trainSamples) || (name === 'learningRate' && value === optionDefaults.learningRate))));
  const config = {
    ...(oldConfig as unknown as BenchConfig),
    training: training as unknown as BenchConfig['training'],
    seeds: [seed],
    suiteParams: Object.fromEntries(Object.entries(oldConfig.suiteParams ?? {}).map(([id, values]) => [id, wrap(values)])),
    estimatorParams: Object.fromEntries(Object.entries(oldConfig.estimatorParams ?? {}).map(([id, values]) => [id, wrap(values)])),
    sweeps,
    threads: Number.isInteger(cpuThreads) ? cpuThreads : env.cpuCount,
  } as BenchConfig & { seed?: number };
  delete config.seed;
  const cells = (old.cells as Json[]).map((cell) => {
    const { params = {}, metrics, ...rest } = cell as Json & { params?: Json; metrics?: Json };
    const suiteParams = pick(params as Json, Object.keys(oldConfig.suiteParams?.[String(cell.suite)] ?? {}));
    const estimatorParams = pick(params as Json, Object.keys(oldConfig.estimatorParams?.[String(cell.estimator)] ?? {}));
    const identity = { kind: 'cell' as const, suite: String(cell.suite), suiteParams, estimator: String(cell.estimator), estimatorParams, backend: String(cell.backend), seed };
    return {
      ...rest,
      key: workKey(identity, config),
      seed,
      suiteParams,
      estimatorParams,
      nodeKind: 'bernoulli',
      ...(Array.isArray((params as Json).logits) ? { problemParams: { logits: (params as Json).logits } } : {}),
      // Version 1 had one suite, bernoulli-toy, scored against its closed form.
      ...(metrics ? { metrics: metrics.bias === undefined ? metrics : { ...metrics, referenceKind: 'closed-form' } } : {}),
    } as unknown as CellResult;
  });
  const series = (kind: 'logit-sweep' | 'scaling', suite: string, suiteParams: ParameterValues, list: Json[]) => list.map((entry) => {
    const estimatorParams = pick(oldConfig.estimatorParams?.[String(entry.estimator)] ?? {}, Object.keys(oldConfig.estimatorParams?.[String(entry.estimator)] ?? {}));
    const identity = { kind, suite, suiteParams, estimator: String(entry.estimator), estimatorParams, backend: String(entry.backend), seed };
    return { ...entry, key: workKey(identity, config), estimatorParams };
  });
  const logit = sweeps.logit && sweepsOld ? { ...sweepsOld, series: series('logit-sweep', sweeps.logit.suite, sweeps.logit.params, sweepsOld.series as Json[]) } : undefined;
  const scaling = sweeps.scaling && scalingOld ? { ...scalingOld, series: series('scaling', sweeps.scaling.suite, sweeps.scaling.params, scalingOld.series as Json[]) } : undefined;
  return {
    schemaVersion: resultsSchemaVersion,
    createdAt: String(old.createdAt),
    run: { state: 'complete', plannedCells: cells.length + (logit?.series.length ?? 0) + (scaling?.series.length ?? 0), resumedCells: 0, missingCells: [] },
    env,
    config,
    cells,
    ...(logit ? { sweeps: { logit } } : {}),
    ...(scaling ? { scaling } : {}),
  } as BenchResults;
}

/** Parses and checks results.json text (`source` names it in errors); version 1 comes back upgraded. */
export function parseResults(text: string, source: string): BenchResults {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${errorMessage(error)}`);
  }
  const checked = checkOutline(parsed, source);
  const results = checked.schemaVersion === 1 ? upgradeVersion1(checked) : (checked as unknown as BenchResults);
  return { ...results, cells: withBuiltInTraits(results.cells) };
}

/** Reads a results.json; any problem is a UsageError naming `what` (a flag and the path). */
export async function readResultsFile(path: string, what: string): Promise<BenchResults> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : errorMessage(error);
    throw new UsageError(`cannot read ${what}: ${reason}`);
  }
  return parseResults(text, what);
}
