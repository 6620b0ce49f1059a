import type { ComputeBackend } from './backend.js';
export async function createGpuBackend(): Promise<ComputeBackend> { throw new Error('not yet'); }
