/**
 * The messages between the supervisor (the main process) and a cell worker process, over the IPC
 * channel of `child_process.fork` with structured-clone serialisation (typed arrays and NaN survive).
 */
import type { WorkRecord } from './cell-store.js';
import type { PlannedWork } from './plan.js';
import type { BackendReport, BenchConfig } from '../core/types.js';

/** What the supervisor asks of a worker. */
export type SupervisorMessage =
  /** Load these plug-in modules (the worker has loaded the built-ins already and said `booted`). */
  | { readonly type: 'load-plugins'; readonly pluginPaths: readonly string[] }
  /** Compute one unit of planned work. */
  | { readonly type: 'run'; readonly work: PlannedWork; readonly config: BenchConfig }
  /** Dispose the backends and exit. */
  | { readonly type: 'close' };

/** What a worker tells the supervisor. */
export type WorkerMessage =
  /** The worker's built-in registries are loaded; it waits for `load-plugins`. */
  | { readonly type: 'booted' }
  /** The plug-ins loaded and were checked: the worker takes work. */
  | { readonly type: 'ready' }
  /** A plug-in failed to load or failed its checks (one line, a usage error). */
  | { readonly type: 'plugins-failed'; readonly message: string }
  /** A backend started (or failed to), once per backend per worker. */
  | { readonly type: 'backend'; readonly report: BackendReport }
  /** The unit's backend is up; the unit's own time limit starts now. */
  | { readonly type: 'computing' }
  /** The unit finished (completed, unsupported or errored in the ordinary way). */
  | { readonly type: 'done'; readonly record: WorkRecord };
