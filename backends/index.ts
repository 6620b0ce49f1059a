import type { BackendFactory } from '../core/backend.js';
import { createCpuBackend } from './cpu.js';
import { createGpuBackend } from './gpu.js';

export type { BackendFactory, ComputeBackend } from '../core/backend.js';

/** Built-in backends keyed by id, in the order a run uses them. */
export const builtInBackends: ReadonlyMap<string, BackendFactory> = new Map<string, BackendFactory>([
  ['cpu', createCpuBackend],
  ['gpu', createGpuBackend],
]);
