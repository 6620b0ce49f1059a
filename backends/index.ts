import type { BackendFactory } from '../core/backend.js';
import { createCpuBackend } from './cpu.js';
import { createGpuBackend } from './gpu.js';
import { gpuInDefaultRun } from './gpu-presence.js';

export type { BackendFactory, ComputeBackend } from '../core/backend.js';

/** Built-in backends keyed by id, in the order a run uses them. */
export const builtInBackends: ReadonlyMap<string, BackendFactory> = new Map<string, BackendFactory>([
  ['cpu', createCpuBackend],
  // In a plain run only where gpu.js reaches a hardware GPU (see gpu-presence.ts).
  ['gpu', Object.assign(() => createGpuBackend(), { inDefaultRun: () => gpuInDefaultRun(() => createGpuBackend()) })],
]);
