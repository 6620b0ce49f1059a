/**
 * The runner: takes the plan (or one shard of it), skips what an earlier session finished, starts each
 * backend once, runs the rest one unit at a time, and hands every finished unit to the store at once.
 * Interruption (an AbortSignal) stops it between units, or abandons the unit in flight.
 */
import { startBackend, type StartedBackend } from './backend-start.js';
import type { CellStore, StoreRecord, WorkRecord } from './cell-store.js';
import { assembleResults, hostEnvironment, latestBackendReports } from './assemble.js';
import { planRun, type PlannedWork } from './plan.js';
import { cellCodeHashes } from './provenance.js';
import { runCell } from './run-cell.js';
import { expectedCost, selectShard } from './shards.js';
import { measureLogitSeries, measureScalingSeries } from './sweeps.js';
import type { BenchConfig, BenchResults, ProgressEvent, Registries, ShardSpec } from '../core/types.js';

/** How a run is carried out, beyond what it computes. */
export interface RunOptions {
  /** Run only this shard of the plan. */
  readonly shard?: ShardSpec;
  /** Where finished work goes as it finishes; its earlier records are not run again (`--resume`). */
  readonly store?: CellStore;
  /** Aborted on SIGINT/SIGTERM: the run stops and the results say `interrupted`. */
  readonly signal?: AbortSignal;
  /** The signal's name, recorded in the results when the run is interrupted. */
  readonly interruptedBy?: () => 'SIGINT' | 'SIGTERM' | undefined;
  readonly onProgress?: (event: ProgressEvent) => void;
}

/** Runs one unit of planned work on its started backend; the result records the hashes of the code that made it. */
async function runWork(work: PlannedWork, config: BenchConfig, registries: Registries, started: StartedBackend): Promise<WorkRecord> {
  const code = cellCodeHashes(config, work.suite, work.estimator);
  switch (work.kind) {
    case 'cell':
      return { kind: 'cell', result: { ...(await runCell({ ...work, kind: 'cell' }, config, registries, started)), ...code } };
    case 'logit-sweep':
      return { kind: 'logit-sweep', result: { ...(await measureLogitSeries({ ...work, kind: 'logit-sweep' }, config, registries, started)), ...code } };
    case 'scaling':
      return { kind: 'scaling', result: { ...(await measureScalingSeries({ ...work, kind: 'scaling' }, config, registries, started)), ...code } };
  }
}

/** Resolves with `undefined` once the signal aborts (never, without a signal). */
function whenAborted(signal: AbortSignal | undefined): Promise<undefined> {
  return new Promise((resolve) => {
    if (signal?.aborted) resolve(undefined);
    signal?.addEventListener('abort', () => resolve(undefined), { once: true });
  });
}

/** Lets pending signals and I/O run: a cell that computes synchronously would otherwise hold them back until the run ends. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs the configuration's plan (or one shard of it). A failing cell or backend never aborts the run:
 * its error is kept on its result. Returns the results of this run's part of the plan in plan order,
 * earlier sessions' cells (from the store) included.
 */
export async function runBenchmark(config: BenchConfig, registries: Registries, options: RunOptions = {}): Promise<BenchResults> {
  const { store, signal, onProgress = () => {} } = options;
  const fullPlan = planRun(config);
  const plan = options.shard ? selectShard(fullPlan, options.shard, (work) => expectedCost(work, config, registries)) : fullPlan;
  const earlier: readonly StoreRecord[] = store?.earlier ?? [];
  const done = new Set(earlier.flatMap((record) => (record.kind === 'backend' ? [] : [record.result.key])));
  const todo = plan.filter((work) => !done.has(work.key));
  // Expected costs let progress estimate the time left from the work left, not from the cell count.
  const cost = (work: PlannedWork) => expectedCost(work, config, registries);
  const costToRun = todo.reduce((total, work) => total + cost(work), 0);
  onProgress({ kind: 'plan', total: plan.length, alreadyDone: plan.length - todo.length, costToRun, ...(options.shard ? { shard: options.shard } : {}) });

  const records: StoreRecord[] = [];
  const keep = (record: StoreRecord) => {
    records.push(record);
    store?.append(record);
  };
  const started = new Map<string, StartedBackend>();
  const backendFor = async (id: string) => {
    let backend = started.get(id);
    if (!backend) {
      backend = await startBackend(id, registries, { threads: config.threads });
      started.set(id, backend);
      keep({ kind: 'backend', report: backend.report });
      onProgress({ kind: 'backend', report: backend.report });
    }
    return backend;
  };
  let abandoned = false;
  try {
    const aborted = whenAborted(signal);
    for (const [offset, work] of todo.entries()) {
      await yieldToEventLoop();
      if (signal?.aborted) break;
      const index = plan.length - todo.length + offset;
      onProgress({ kind: 'cell-start', index, total: plan.length, label: work.label, cost: cost(work) });
      const running = backendFor(work.backend).then((backend) => runWork(work, config, registries, backend));
      // Whichever comes first: the unit finishing, or the interruption (the unit is then abandoned).
      const record = await Promise.race([running, aborted]);
      if (!record) {
        abandoned = true;
        running.catch(() => {});
        break;
      }
      keep(record);
      const result = record.result;
      onProgress({
        kind: 'cell-end', index, total: plan.length, label: work.label, state: result.state, cost: cost(work),
        ...('error' in result && result.error ? { error: result.error } : {}),
      });
    }
  } finally {
    // An abandoned unit may still be using its backend; the process is about to exit and frees it.
    if (!abandoned) for (const { backend } of started.values()) backend?.dispose();
  }
  const interruptedBy = signal?.aborted ? options.interruptedBy?.() : undefined;
  return assembleResults({
    config,
    env: { ...(store?.header.env ?? hostEnvironment()), backends: latestBackendReports([...earlier, ...records]) },
    plan,
    records: [...earlier, ...records],
    run: {
      ...(options.shard ? { shard: options.shard } : {}),
      plannedCells: plan.length,
      resumedCells: plan.length - todo.length,
      ...(interruptedBy ? { interruptedBy } : {}),
    },
  });
}
