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


def binarised_minibatch_step(torch, grey, batch, loss_of, optimizer, compiled):
    """The VAE peers' training step: a fresh minibatch of `batch` rows of `grey`, binarised, then one step of
    `optimizer` on `loss_of(x)`. With `compiled`, torch.compile wraps the loss and the update, as estibench's
    peer:network --compile asks. Returns the step as a function of nothing."""
    update = optimizer.step
    if compiled:
        loss_of = torch.compile(loss_of)
        update = torch.compile(update)

    def step():
        rows = torch.randint(0, grey.shape[0], (batch,))
        pixels = grey[rows]
        x = (torch.rand_like(pixels) < pixels).float()
        loss = loss_of(x)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        update()

    return step


def run_network_peer(torch, step, steps, threads, compiled, settings):
    """Every network peer's main: `threads` torch threads, the configuration line, then `steps` timed steps of
    `step(...)` (built after the thread count is set) and the result line with `settings` beside the timing."""
    torch.set_num_threads(threads)
    from peer_config import print_config, print_result, torch_config
    print_config(torch_config(torch))
    timing = time_training_steps(step(), steps)
    print_result({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'compiled': compiled, **settings, 'steps': steps, **timing})
    return 0
