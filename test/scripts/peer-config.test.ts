import { describe, expect, it } from 'vitest';
import { describePeerConfig, parsePeerOutput } from '../../scripts/peer-config.js';

describe('a peer\'s output', () => {
  it('is its configuration line, then its measurement', () => {
    const stdout = '{"peerConfig": {"framework": "PyTorch", "version": "2.13.0+cpu", "threads": 2, "blas": "mkl"}}\n{"msPerStep": 2.5}\n';
    expect(parsePeerOutput(stdout)).toEqual({ config: { framework: 'PyTorch', version: '2.13.0+cpu', threads: 2, blas: 'mkl' }, result: { msPerStep: 2.5 } });
  });

  it('from an older peer without a configuration line (an indented object) still reads, with no configuration', () => {
    expect(parsePeerOutput('{\n "torch": "1.13.0",\n "msPerStep": 29\n}\n')).toEqual({ config: null, result: { torch: '1.13.0', msPerStep: 29 } });
  });

  it('refuses a configuration without a measurement', () => {
    expect(() => parsePeerOutput('{"peerConfig": {"framework": "JAX", "version": "0.10.2"}}\n')).toThrow(/no measurement/);
  });
});

describe('the configuration line above a table', () => {
  it('names PyTorch\'s version, threads, BLAS and, for a BLAS chosen at run time, the library loaded', () => {
    expect(describePeerConfig({
      framework: 'PyTorch', version: '2.13.0+cpu', threads: 2, blas: 'mkl', mkl: '2024.2', onednn: 'v3.12.0', parallel: 'OpenMP', cpuCapability: 'AVX512',
      libraries: ['lib/libgomp.so.1', 'numpy.libs/libscipy_openblas64_.so'],
    })).toBe('PyTorch 2.13.0+cpu, 2 threads, BLAS mkl (MKL 2024.2, oneDNN v3.12.0, OpenMP, AVX512)');
    expect(describePeerConfig({ framework: 'PyTorch', version: '1.13.1', threads: 1, blas: 'open', libraries: ['blas/libblas.so.3'] }))
      .toBe('PyTorch 1.13.1, 1 thread, BLAS open, loaded blas/libblas.so.3');
  });

  it('names JAX\'s version, backend, cores and any XLA_FLAGS', () => {
    expect(describePeerConfig({
      framework: 'JAX', version: '0.10.2', jaxlib: '0.10.2', backend: 'cpu', threads: 2, xlaFlags: '--xla_force_host_platform_device_count=1',
      numpyBlas: 'scipy-openblas 0.3.31', prng: 'threefry2x32',
    })).toBe("JAX 0.10.2 (jaxlib 0.10.2, cpu, threefry2x32), XLA's own CPU kernels on 2 core(s), XLA_FLAGS='--xla_force_host_platform_device_count=1'; numpy's BLAS scipy-openblas 0.3.31");
  });

  it('says so when the peer reported none', () => {
    expect(describePeerConfig(null)).toBe('configuration not reported by the peer');
  });
});
