"""What estibench's PyTorch speed peers share: timing a batch of S estimates as estibench times one, and
timing training steps as `npm run peer:network` times estibench's. No torch import here: the peers
check their arguments before importing it."""
import statistics
import sys
import time

from peer_config import whole_numbers


def median_ns_per_estimate(estimators, S, reps=20):
    """Median ns per estimate of each estimator over `reps` batches of S estimates (after one warm-up batch).

    `estimators` maps an id to a function returning S estimates stacked along dimension 0; a timed batch
    is that call plus the per-unit mean and variance of its estimates (what estibench's moments are).
    """
    result = {}
    for name, estimate in estimators.items():
        estimate()
        times = []
        for _ in range(reps):
            start = time.perf_counter()
            g = estimate()
            g.mean(0)
            g.var(0).sum()
            times.append(time.perf_counter() - start)
        times.sort()
        result[name] = times[len(times) // 2] / S * 1e9
    return result


def network_arguments(argv, usage, minimums):
    """The network peers' command line: positional whole numbers and an optional --compile flag.

    Bad input: one line on stderr and exit 2 (see peer_config.whole_numbers).
    """
    flags = [arg for arg in argv if arg.startswith('--')]
    if any(flag != '--compile' for flag in flags):
        sys.stderr.write(usage + '\n')
        sys.exit(2)
    return whole_numbers([arg for arg in argv if not arg.startswith('--')], usage, minimums), '--compile' in flags


def time_training_steps(step, steps, warmup=20):
    """Runs `warmup` untimed steps (torch.compile compiles in the first), then `steps` timed ones.

    Returns the median and the fastest step in ms, and the seconds the warm-up took (with
    torch.compile, mostly its compilation).
    """
    start = time.perf_counter()
    for _ in range(warmup):
        step()
    warmup_seconds = time.perf_counter() - start
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return {'msPerStep': statistics.median(times) * 1e3, 'msPerStepMin': min(times) * 1e3, 'warmupSeconds': warmup_seconds}
