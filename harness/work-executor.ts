/**
 * How the runner gets one unit of planned work computed: in this process (the library default, for
 * callers with registries of their own) or by supervised worker processes (`cell-supervisor.ts`, what
 * the CLI uses). The runner plans, records and handles interruption; an executor only computes.
 */
import { startBackend, type StartedBackend } from './backend-start.js';
import type { WorkRecord } from './cell-store.js';
import type { PlannedWork } from './plan.js';
import { runCell } from './run-cell.js';
import { measureLogitSeries, measureScalingSeries } from './sweeps.js';
import type { BackendReport, BenchConfig, Registries } from '../core/types.js';

/** Computes units of planned work, one at a time. */
export interface WorkExecutor {
  /**
   * Computes one unit. Never rejects for a failure of the unit itself: that is an `errored` record.
   * `onBackend` is told of each backend as it starts (or fails to).
   */
  run(work: PlannedWork, onBackend: (report: BackendReport) => void): Promise<WorkRecord>;
  /** Releases what the executor started (backends, workers). After an interruption, `abandoned` says a unit is still in flight. */
  close(abandoned: boolean): Promise<void>;
}

/** Runs one unit of planned work on its started backend. */
export async function runWork(work: PlannedWork, config: BenchConfig, registries: Registries, started: StartedBackend): Promise<WorkRecord> {
  switch (work.kind) {
    case 'cell':
      return { kind: 'cell', result: await runCell({ ...work, kind: 'cell' }, config, registries, started) };
    case 'logit-sweep':
      return { kind: 'logit-sweep', result: await measureLogitSeries({ ...work, kind: 'logit-sweep' }, config, registries, started) };
    case 'scaling':
      return { kind: 'scaling', result: await measureScalingSeries({ ...work, kind: 'scaling' }, config, registries, started) };
  }
}

/**
 * The backends of one process, each started once, on first use: what the in-process executor and
 * each cell worker share.
 */
export function createBackendCache(registries: Registries, threads: number) {
  const started = new Map<string, Promise<StartedBackend>>();
  return {
    /** The started backend `id`; `onStart` hears its report the first time. */
    get(id: string, onStart: (report: BackendReport) => void): Promise<StartedBackend> {
      let backend = started.get(id);
      if (!backend) {
        backend = startBackend(id, registries, { threads }).then((result) => {
          onStart(result.report);
          return result;
        });
        started.set(id, backend);
      }
      return backend;
    },
    async disposeAll(): Promise<void> {
      for (const backend of started.values()) (await backend).backend?.dispose();
      started.clear();
    },
  };
}

/** Computes every unit in this process, on backends started once each (no limits: a hung cell hangs the run). */
export function createInProcessExecutor(config: BenchConfig, registries: Registries): WorkExecutor {
  const backends = createBackendCache(registries, config.threads);
  return {
    async run(work, onBackend) {
      return runWork(work, config, registries, await backends.get(work.backend, onBackend));
    },
    async close(abandoned) {
      // An abandoned unit may still be using its backend; the process is about to exit and frees it.
      if (!abandoned) await backends.disposeAll();
    },
  };
}

/** The record of a unit that did not finish (a limit, a crash): `errored`, with `error` saying why. */
export function failedRecord(work: PlannedWork, config: BenchConfig, error: string, elapsedMs: number): WorkRecord {
  const series = { key: work.key, estimator: work.estimator, estimatorParams: work.estimatorParams, backend: work.backend, state: 'errored' as const, error };
  switch (work.kind) {
    case 'cell':
      return {
        kind: 'cell',
        result: {
          key: work.key, suite: work.suite, estimator: work.estimator, backend: work.backend, seed: work.seed, samples: config.samples,
          suiteParams: work.suiteParams, estimatorParams: work.estimatorParams, state: 'errored', error, elapsedMs,
        },
      };
    case 'logit-sweep':
      return { kind: 'logit-sweep', result: { ...series, signedBias: [], bias: [], biasStdErr: [], variance: [], exactGradient: [] } };
    case 'scaling':
      return { kind: 'scaling', result: { ...series, bySamples: { nsPerEstimate: [], msPerBatch: [] }, byDim: { nsPerEstimate: [], msPerBatch: [] } } };
  }
}
