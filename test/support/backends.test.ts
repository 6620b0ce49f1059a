import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ComputeBackend } from '../../core/backend.js';
import { missingCapability, testedBackendIds } from './backends.js';

/** A backend that declares only what a capability check reads. */
function declaring(declared: Partial<ComputeBackend>): ComputeBackend {
  return { id: 'fake', fusedNodeKinds: [], ...declared } as ComputeBackend;
}

describe('the per-backend test helper', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('skips a block whose backend lacks what it needs, naming it', () => {
    expect(missingCapability(declaring({}), { staged: true })).toBe('fake runs no staged cells');
    expect(missingCapability(declaring({ fusedNodeKinds: ['bernoulli'] }), { fuses: ['bernoulli', 'categorical'] })).toBe('fake does not fuse categorical nodes');
    const staged = declaring({ fusedNodeKinds: ['bernoulli'], prepareHardNode: () => ({}) as never, ops: {} as never });
    expect(missingCapability(staged, { staged: true, fuses: ['bernoulli'] })).toBeNull();
  });

  it('covers every registered backend unless ESTIBENCH_TEST_BACKENDS names some', () => {
    expect(testedBackendIds(['cpu', 'gpu'])).toEqual(['cpu', 'gpu']);
    vi.stubEnv('ESTIBENCH_TEST_BACKENDS', 'cpu');
    expect(testedBackendIds(['cpu', 'gpu'])).toEqual(['cpu']);
  });
});
