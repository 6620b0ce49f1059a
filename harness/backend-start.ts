import type { BackendOptions, ComputeBackend } from '../core/backend.js';
import { errorMessage } from '../core/errors.js';
import type { BackendReport, Registries } from '../core/types.js';

/** A backend as it started, or the report of why it did not. */
export interface StartedBackend {
  readonly report: BackendReport;
  readonly backend: ComputeBackend | null;
}

/** Starts one registered backend; a failure is kept in the report instead of thrown. */
export async function startBackend(id: string, registries: Registries, options: BackendOptions): Promise<StartedBackend> {
  try {
    const backend = await registries.backends.get(id)!(options);
    return {
      backend,
      report: { id, state: 'ready', mode: backend.mode, details: backend.details, fallbacks: backend.fallbacks },
    };
  } catch (error) {
    return { backend: null, report: { id, state: 'failed', fallbacks: [], error: errorMessage(error) } };
  }
}
