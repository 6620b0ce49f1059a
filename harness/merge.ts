/**
 * Merging shards (`npm run report -- --merge DIR1 DIR2 ...`): the cells of runs of one configuration,
 * put together in plan order as if one machine had run them, with the planned cells none of them has.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { assembleResults, latestBackendReports } from './assemble.js';
import { configDifference, configFingerprint } from './cell-key.js';
import { cellStoreFile, readCellStore, type StoreRecord } from './cell-store.js';
import { errorMessage, UsageError } from '../core/errors.js';
import { planRun } from './plan.js';
import { changedCode, describeCode } from './provenance.js';
import { readResultsFile } from './results-file.js';
import type { BenchConfig, BenchResults, MergedRun, RunEnvironment } from '../core/types.js';

/** One run to merge, as found on disk. */
interface Source {
  readonly dir: string;
  readonly config: BenchConfig;
  readonly env: RunEnvironment;
  readonly records: readonly StoreRecord[];
  readonly run: MergedRun;
}

/** The records a results object holds, as the store would have them. */
function recordsOf(results: BenchResults): StoreRecord[] {
  return [
    ...results.env.backends.map((report) => ({ kind: 'backend' as const, report })),
    ...results.cells.map((result) => ({ kind: 'cell' as const, result })),
    ...(results.sweeps?.logit?.series ?? []).map((result) => ({ kind: 'logit-sweep' as const, result })),
    ...(results.scaling?.series ?? []).map((result) => ({ kind: 'scaling' as const, result })),
  ];
}

/**
 * A run's cells from its directory: results.json when there is one; else its cells.jsonl (a shard
 * killed before it could write results.json still merges what it finished). A path to a results.json
 * works too.
 */
async function readSource(path: string): Promise<Source> {
  const isDirectory = existsSync(path) && statSync(path).isDirectory();
  const resultsPath = isDirectory ? join(path, 'results.json') : path;
  if (existsSync(resultsPath) || !isDirectory) {
    const results = await readResultsFile(resultsPath, `--merge '${resultsPath}'`);
    const run: MergedRun = {
      dir: path, createdAt: results.createdAt, state: results.run.state, ...(results.run.shard ? { shard: results.run.shard } : {}),
      cells: results.cells.length, cpus: results.env.cpus, cpuCount: results.env.cpuCount, threads: results.config.threads,
    };
    return { dir: path, config: results.config, env: results.env, records: recordsOf(results), run };
  }
  const storePath = join(path, cellStoreFile);
  let found: Awaited<ReturnType<typeof readCellStore>>;
  try {
    found = await readCellStore(storePath);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read --merge '${storePath}': ${errorMessage(error)}`);
  }
  if (!found) throw new UsageError(`--merge '${path}' holds neither results.json nor a ${cellStoreFile} with cells; give the --out directory of a bench run`);
  const { header, records } = found;
  const env = { ...header.env, backends: latestBackendReports(records) };
  // Every run writes results.json as it ends, even when a signal stops it: without one, the run was killed.
  const run: MergedRun = {
    dir: path, createdAt: header.createdAt, state: 'interrupted', ...(header.shard ? { shard: header.shard } : {}),
    cells: records.filter((record) => record.kind === 'cell').length, cpus: env.cpus, cpuCount: env.cpuCount, threads: header.config.threads,
  };
  return { dir: path, config: header.config, env, records, run };
}

/**
 * Merges runs of one configuration (any shards, in any order, overlapping or not). Refuses runs of
 * different configurations; the first result of a key wins, except that a completed cell wins over
 * an errored one. The merged run is `complete` when every planned cell is there, else `incomplete`
 * with the missing ones listed in `run.missingCells`.
 */
export async function mergeRuns(paths: readonly string[]): Promise<BenchResults> {
  if (paths.length === 0) throw new UsageError('--merge needs at least one directory');
  const sources: Source[] = [];
  for (const path of paths) sources.push(await readSource(path));
  const [first] = sources;
  for (const source of sources.slice(1)) {
    if (configFingerprint(source.config) !== configFingerprint(first.config)) {
      const reason = configDifference(source.config, first.config) ?? 'options differ';
      throw new UsageError(`cannot merge '${source.dir}' with '${first.dir}': their configurations differ (${reason.replace('now', 'here').replace('before', 'there')})`);
    }
    // Keys include the code's hashes: shards of different code would only look like missing cells.
    const changed = changedCode(source.config, first.config);
    if (changed.length > 0) {
      throw new UsageError(`cannot merge '${source.dir}' with '${first.dir}': they ran different code of ${changed.map((id) => describeCode(id, source.config)).join(', ')}; rerun the shards with the same code`);
    }
  }
  const records = sources.flatMap((source) => source.records);
  // A cell that completed somewhere wins over the same cell errored elsewhere.
  records.sort((left, right) => Number(left.kind !== 'backend' && left.result.state !== 'completed') - Number(right.kind !== 'backend' && right.result.state !== 'completed'));
  const plan = planRun(first.config);
  return assembleResults({
    config: first.config,
    env: { ...first.env, backends: latestBackendReports(records) },
    plan,
    records,
    run: { plannedCells: plan.length, resumedCells: 0, mergedFrom: sources.map((source) => source.run) },
  });
}
