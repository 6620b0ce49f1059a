"""What estibench's PyTorch speed peers share: timing a batch of S estimates as estibench times one."""
import time


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
