import type { ComputeBackend } from '../../core/backend.js';
import type { EstimatorDefinition } from '../../core/estimator.js';
import { errorMessage, UsageError } from '../../core/errors.js';
import { builtInBackends } from '../../backends/index.js';
import { loadPluginModules } from '../plugins.js';
import { conformanceChecks } from './checks.js';
import type { CheckContext, CheckSettings, CheckVerdict, ConformanceCheck } from './check-types.js';

/** What the kit runs on: the started CPU backend, and the GPU backend or why there is none. */
export interface CheckBackends {
  readonly cpu: ComputeBackend;
  readonly gpu: ComputeBackend | { readonly unavailable: string };
}

/**
 * Runs every check of the kit on one estimator, in order. A check that throws something unexpected
 * fails with the message; one check's failure never stops the others.
 */
export async function runConformanceChecks(
  estimator: EstimatorDefinition, backends: CheckBackends, settings: CheckSettings, checks: readonly ConformanceCheck[] = conformanceChecks,
): Promise<CheckVerdict[]> {
  const context: CheckContext = { estimator, ...backends, settings };
  const verdicts: CheckVerdict[] = [];
  for (const check of checks) {
    try {
      verdicts.push({ checkId: check.id, ...(await check.run(context)) });
    } catch (error) {
      verdicts.push({ checkId: check.id, status: 'fail', detail: `the check threw: ${errorMessage(error)}` });
    }
  }
  return verdicts;
}

/** One verdict as the line `estibench check` prints: `PASS determinism  bit-identical ...`. */
export function formatVerdict(verdict: CheckVerdict): string {
  return `${verdict.status.toUpperCase().padEnd(4)} ${verdict.checkId.padEnd(18)} ${verdict.detail}`;
}

/**
 * The estimators a plug-in module exports, loaded and validated as `--plugin` loads them (the same
 * loader, the same field checks), but against an empty estimator registry so that a built-in
 * estimator's own module can be checked too.
 * @throws UsageError for a missing or unloadable module, a definition that fails validation, or a module without estimators.
 */
export async function loadEstimatorsToCheck(path: string): Promise<EstimatorDefinition[]> {
  const loaded = await loadPluginModules({ estimators: new Map(), suites: new Map(), backends: builtInBackends }, [path]);
  const estimators = [...loaded.estimators.values()];
  if (estimators.length === 0) throw new UsageError(`plug-in '${path}' exports no estimator (only suites); check runs estimator plug-ins`);
  return estimators;
}
