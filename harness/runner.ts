/**
 * The runner: takes the plan (or one shard of it), skips what an earlier session finished, starts each
 * backend once, runs the rest one unit at a time, and hands every finished unit to the store at once.
 * Interruption (an AbortSignal) stops it between units, or abandons the unit in flight.
 */
import type { CellStore, StoreRecord, WorkRecord } from './cell-store.js';
import { assembleResults, hostEnvironment, latestBackendReports } from './assemble.js';
import { planRun, type PlannedWork } from './plan.js';
import { cellCodeHashes } from './provenance.js';
import { expectedCost, selectShard } from './shards.js';
import { createInProcessExecutor, type WorkExecutor } from './work-executor.js';
import type { BackendReport, BenchConfig, BenchResults, ProgressEvent, Registries, ShardSpec } from '../core/types.js';

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
  /**
   * What computes each unit (default: this process, without limits). The CLI passes supervised
   * workers (`createCellSupervisor`), which bound every cell's time and memory.
   */
  readonly executor?: WorkExecutor;
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
  const executor = options.executor ?? createInProcessExecutor(config, registries);
  const reported = new Map<string, string>();
  // A backend is recorded when it first starts, and again only if a later start (a replaced worker) differs.
  const onBackend = (report: BackendReport) => {
    const text = JSON.stringify(report);
    if (reported.get(report.id) === text) return;
    reported.set(report.id, text);
    keep({ kind: 'backend', report });
    onProgress({ kind: 'backend', report });
  };
  let abandoned = false;
  try {
    const aborted = whenAborted(signal);
    for (const [offset, work] of todo.entries()) {
      await yieldToEventLoop();
      if (signal?.aborted) break;
      const index = plan.length - todo.length + offset;
      onProgress({ kind: 'cell-start', index, total: plan.length, label: work.label, cost: cost(work) });
      // Every record carries the hashes of the code that made it (a failed one included).
      const running = executor.run(work, onBackend).then((record) => ({ ...record, result: { ...record.result, ...cellCodeHashes(config, work.suite, work.estimator) } }) as WorkRecord);
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
    await executor.close(abandoned);
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
