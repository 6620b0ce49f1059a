/**
 * Running a block of tests once per backend, as TensorFlow.js's `describeWithFlags` does: each block
 * starts its backend once (before its tests) and disposes it after; a block whose backend lacks a
 * capability it needs is skipped, saying which. A backend that cannot start here (no X server, no GL)
 * skips its block with the reason, except under CI (`CI` set), where a backend that does not start is a
 * failure: CI never passes by skipping.
 *
 * Test files that start the gpu backend are named `*.gpu.test.ts` (the `gpu` project runs them one at a
 * time); `ESTIBENCH_TEST_BACKENDS=cpu` restricts every block to the CPU backend (a quick local run).
 */
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { builtInBackends } from '../../backends/index.js';
import type { ComputeBackend } from '../../core/backend.js';
import type { NodeKind } from '../../core/estimator.js';

/** What a block may need of its backend. */
export interface BackendNeeds {
  /** Hard-node stages and tensor operations (staged cells: networks, ONNX objectives). */
  readonly staged?: boolean;
  /** Node kinds the backend must fuse into one loop. */
  readonly fuses?: readonly NodeKind[];
}

/** Options of a per-backend block. */
export interface EachBackendOptions extends BackendNeeds {
  /** Backend ids to run on (default: every registered backend). */
  readonly backends?: readonly string[];
  /** Host threads the backend may use (default 2). */
  readonly threads?: number;
}

/** The backend ids a run of the tests covers: every registered one, or those `ESTIBENCH_TEST_BACKENDS` names. */
export function testedBackendIds(requested: readonly string[] = [...builtInBackends.keys()]): string[] {
  const only = process.env.ESTIBENCH_TEST_BACKENDS?.split(',').map((id) => id.trim()).filter(Boolean);
  return requested.filter((id) => !only || only.includes(id));
}

/** Why `backend` cannot run a block that needs `needs`, or null when it can. */
export function missingCapability(backend: ComputeBackend, needs: BackendNeeds): string | null {
  if (needs.staged && !(backend.prepareHardNode && backend.ops)) return `${backend.id} runs no staged cells`;
  const unfused = (needs.fuses ?? []).filter((kind) => !backend.fusedNodeKinds.includes(kind));
  if (unfused.length > 0) return `${backend.id} does not fuse ${unfused.join(', ')} nodes`;
  return null;
}

/**
 * Declares `body` once per tested backend, as `describe('<title> on the <id> backend')`. `body` receives
 * a getter for the started backend (valid inside tests and hooks) and the backend's id.
 */
export function describeEachBackend(
  title: string, body: (backend: () => ComputeBackend, backendId: string) => void, options: EachBackendOptions = {},
): void {
  for (const backendId of testedBackendIds(options.backends)) {
    describe(`${title} on the ${backendId} backend`, () => {
      let started: ComputeBackend | undefined;
      let unavailable: string | null = null;
      beforeAll(async () => {
        try {
          started = await builtInBackends.get(backendId)!({ threads: options.threads ?? 2 });
        } catch (error) {
          if (process.env.CI) throw error;
          unavailable = `the ${backendId} backend did not start here: ${(error as Error).message}`;
        }
        unavailable ??= started ? missingCapability(started, options) : null;
        if (unavailable) console.warn(`skipped '${title}' on ${backendId}: ${unavailable}`);
      });
      beforeEach((context) => {
        if (unavailable) context.skip(unavailable);
      });
      afterAll(() => started?.dispose());
      body(() => {
        if (!started) throw new Error(unavailable ?? `the ${backendId} backend is used outside its tests`);
        return started;
      }, backendId);
    });
  }
}

/**
 * Starts the CPU and gpu backends once for the enclosing `describe` (2 threads each) and disposes them
 * after it, for blocks that compare the two side by side. The getters are valid inside tests and hooks.
 */
export function useCpuAndGpuBackends(): { cpu: () => ComputeBackend; gpu: () => ComputeBackend } {
  let cpu: ComputeBackend | undefined;
  let gpu: ComputeBackend | undefined;
  beforeAll(async () => {
    cpu = await builtInBackends.get('cpu')!({ threads: 2 });
    gpu = await builtInBackends.get('gpu')!({ threads: 2 });
  });
  afterAll(() => {
    cpu?.dispose();
    gpu?.dispose();
  });
  return { cpu: () => cpu!, gpu: () => gpu! };
}
