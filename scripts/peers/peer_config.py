"""What every estibench peer prints first: the exact configuration that made its numbers.

A comparison is only as honest as its peer: the same PyTorch version runs a matrix product ten times
slower on the reference BLAS than on MKL or OpenBLAS. Each peer therefore prints, as its first line of
standard output, one JSON object {"peerConfig": {...}} with its framework's exact version, its thread
count, and the BLAS/LAPACK/MKL/oneDNN configuration it was built with and actually loaded (the shared
libraries mapped into the process, links resolved: Debian picks libblas.so.3 through its alternatives).
The npm scripts (scripts/peer-config.ts) parse that line and show it above their tables.
No import of torch or jax here: each function is handed the module the peer already imported.
"""
import json
import os
import re
import sys

# Shared libraries worth naming: BLAS/LAPACK implementations, MKL, oneDNN, OpenMP runtimes.
_LIBRARY_PATTERN = re.compile(r'(blas|lapack|mkl|dnnl|gomp|iomp|omp\.so|xla|eigen)', re.IGNORECASE)


def loaded_math_libraries():
    """The BLAS-like shared libraries mapped into this process, by resolved file name (Linux only)."""
    try:
        with open('/proc/self/maps', encoding='utf8') as maps:
            paths = {line.split()[-1] for line in maps if '.so' in line and '/' in line}
    except OSError:
        return []
    names = set()
    for path in paths:
        if _LIBRARY_PATTERN.search(os.path.basename(path)):
            real = os.path.realpath(path)
            # Debian's alternatives keep the implementation in the directory: .../blas/ (reference) or .../openblas-pthread/.
            names.add(os.path.join(os.path.basename(os.path.dirname(real)), os.path.basename(real)))
    return sorted(names)


def _first(pattern, text):
    match = re.search(pattern, text)
    return match.group(1).strip() if match else None


def torch_config(torch):
    """PyTorch's version, threads and math libraries, from torch.__config__ and the mapped libraries."""
    # One small product so that the BLAS the build dispatches to is loaded before /proc/self/maps is read.
    torch.ones(64, 64) @ torch.ones(64, 64)
    shown = torch.__config__.show()
    parallel = torch.__config__.parallel_info()
    return {
        'framework': 'PyTorch',
        'version': torch.__version__,
        'threads': torch.get_num_threads(),
        'interopThreads': torch.get_num_interop_threads(),
        'blas': _first(r'BLAS_INFO=([^,\s]+)', shown),
        'lapack': _first(r'LAPACK_INFO=([^,\s]+)', shown),
        'mkl': _first(r'Math Kernel Library Version ([^\s-]+)', shown) if torch.backends.mkl.is_available() else None,
        'onednn': _first(r'MKL-DNN (v[\d.]+)', shown) if torch.backends.mkldnn.is_available() else None,
        'parallel': _first(r'ATen parallel backend: ([^\n]+)', parallel),
        'cpuCapability': _first(r'CPU capability usage: (\w+)', shown),
        'libraries': loaded_math_libraries(),
        'python': sys.version.split()[0],
        'executable': sys.executable,
        'environment': {name: os.environ[name] for name in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS') if name in os.environ},
    }


def jax_config(jax):
    """JAX's version, backend, cores and numpy's BLAS (XLA compiles its own CPU kernels)."""
    import jaxlib
    import numpy
    import jax.numpy as jnp
    (jnp.ones((64, 64)) @ jnp.ones((64, 64))).block_until_ready()
    try:
        numpy_blas = numpy.show_config(mode='dicts')['Build Dependencies']['blas']
        numpy_blas = f"{numpy_blas.get('name')} {numpy_blas.get('version')}"
    except Exception:  # older numpy: no dict mode; the version alone still says which numpy it is
        numpy_blas = None
    return {
        'framework': 'JAX',
        'version': jax.__version__,
        'jaxlib': jaxlib.__version__,
        'backend': jax.default_backend(),
        'devices': len(jax.devices()),
        # XLA's CPU client uses every core it is allowed (the affinity mask) unless XLA_FLAGS restricts it.
        'threads': len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count(),
        'xlaFlags': os.environ.get('XLA_FLAGS', ''),
        'blas': 'XLA (own CPU kernels)',
        'numpy': numpy.__version__,
        'numpyBlas': numpy_blas,
        'libraries': loaded_math_libraries(),
        'python': sys.version.split()[0],
        'executable': sys.executable,
    }


def print_config(config):
    """The peer's first line of standard output."""
    print(json.dumps({'peerConfig': config}), flush=True)


def print_result(result):
    """The peer's last line of standard output: its measurement, one JSON object."""
    print(json.dumps(result), flush=True)


def whole_numbers(argv, usage, minimums):
    """Parses positional whole numbers, each at least its minimum (at most len(minimums) of them).

    Bad input: one line on stderr and exit 2, before torch or jax is imported (so the check holds on
    a machine without them, and answers at once).
    """
    try:
        numbers = [int(arg) for arg in argv]
    except ValueError:
        numbers = None
    if numbers is None or len(numbers) > len(minimums) or any(n < m for n, m in zip(numbers, minimums)):
        sys.stderr.write(usage + '\n')
        sys.exit(2)
    return numbers
