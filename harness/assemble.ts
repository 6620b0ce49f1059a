/** Putting results together from finished work, in plan order: for a run, a resumed run and a merge alike. */
import { withBuiltInTraits } from './estimator-traits.js';
import { cpus } from 'node:os';
import type { StoreRecord, WorkRecord } from './cell-store.js';
import { dependencyVersions, packageVersion } from './package-info.js';
import type { PlannedWork } from './plan.js';
import { assembleSweeps } from './sweep-grid.js';
import {
  resultsSchemaVersion, type BackendReport, type BenchConfig, type BenchResults, type CellResult, type LogitSweepSeries,
  type RunEnvironment, type RunRecord, type ScalingSeries,
} from '../core/types.js';

/** The machine this process runs on, without its backends. */
export function hostEnvironment(): Omit<RunEnvironment, 'backends'> {
  const cpuList = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    cpus: cpuList[0]?.model ?? 'unknown',
    cpuCount: cpuList.length,
    estibench: packageVersion(),
    packages: dependencyVersions(),
  };
}

/** The last report of each backend among the records (a resumed run may have started one again), in first-start order. */
export function latestBackendReports(records: readonly StoreRecord[]): BackendReport[] {
  const reports = new Map<string, BackendReport>();
  for (const record of records) if (record.kind === 'backend') reports.set(record.report.id, record.report);
  return [...reports.values()];
}

/** What the assembly needs besides the records. */
export interface AssemblyInput {
  readonly config: BenchConfig;
  readonly env: RunEnvironment;
  /** The work these results cover (a shard's, or the whole plan), in plan order. */
  readonly plan: readonly PlannedWork[];
  /** Finished work, in any order; the first record of a key wins. */
  readonly records: readonly StoreRecord[];
  /** The run record, less what the assembly derives (state, missing cells). */
  readonly run: Omit<RunRecord, 'state' | 'missingCells'>;
  readonly createdAt?: string;
}

/**
 * Results in plan order, whatever order the work finished in: a resumed run or merged shards give the
 * same file as one uninterrupted run. The run is `complete` when every planned unit has a result,
 * `interrupted` when a signal stopped it, `incomplete` otherwise (a merge with missing shards).
 */
export function assembleResults(input: AssemblyInput): BenchResults {
  const byKey = new Map<string, WorkRecord>();
  for (const record of input.records) {
    if (record.kind === 'backend' || byKey.has(record.result.key)) continue;
    byKey.set(record.result.key, record);
  }
  const cells: CellResult[] = [];
  const logitSeries: LogitSweepSeries[] = [];
  const scalingSeries: ScalingSeries[] = [];
  const missingCells: string[] = [];
  for (const work of input.plan) {
    const record = byKey.get(work.key);
    if (!record || record.kind !== work.kind) missingCells.push(work.label);
    else if (record.kind === 'cell') cells.push(record.result);
    else if (record.kind === 'logit-sweep') logitSeries.push(record.result);
    else scalingSeries.push(record.result);
  }
  const state = missingCells.length === 0 ? 'complete' : input.run.interruptedBy ? 'interrupted' : 'incomplete';
  return {
    schemaVersion: resultsSchemaVersion,
    createdAt: input.createdAt ?? new Date().toISOString(),
    run: { ...input.run, state, missingCells },
    env: input.env,
    config: input.config,
    cells: withBuiltInTraits(cells),
    ...assembleSweeps(input.config, logitSeries, scalingSeries),
  };
}
