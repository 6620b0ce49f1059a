#!/usr/bin/env python3
"""PyTorch eager speed peer of estibench's categorical-toy suite (suites/categorical-toy.ts).

What it implements: the five categorical estimators of estibench as vectorised tensor code (no
autograd: each estimator's backward is written out, as estibench's kernels write it), on the exact
problem of categorical-toy:
  D units of K classes, logits theta_{i,k} = s_i (2k/(K-1) - 1) with s = linspace(-2, 2, D) (s = 0 for
  a single unit); targets c_i = t on class (i mod K) and (1 - t)/(K - 1) elsewhere, t = 0.8;
  f(x) = sum_i ||x_i - c_i||^2, so dL/dx = 2 (x - c).
Estimators at estibench's default parameters: gumbel-softmax (tau 0.5), st-gumbel-softmax (tau 1),
reinmax (tau 1, Algorithm 2), gumbel-rao (tau 1, M = 10 conditional samples), reinforce-loo (k = 4).
Noise is drawn as estibench draws it: exponentials E = -log u, the Gumbel-max sample as the race
argmin_j E_j / pi_j. One timed batch = S single-sample estimates of the D x K gradient plus their mean
and variance (what estibench's moments are); the median of `reps` batches, in ns per estimate.

Run: .venv-peers/bin/python scripts/peers/torch_categorical_toy.py D K S [reps] [threads]
     (defaults 32 6 8192 20, threads = all cores; `npm run setup:peers` makes .venv-peers); or through
     `npm run peer:categorical`. (peer_timing.py, beside it, times the batches.)
Prints two JSON lines: the peer's configuration (peer_config.py), then torch version, threads, D, K, S,
nsPerEstimate by estimator id.
"""
import os
import sys

from peer_config import whole_numbers

USAGE = 'usage: torch_categorical_toy.py D K S [reps] [threads] (whole numbers, D >= 1, K >= 2, S >= 2)'
# Checked before torch is imported: bad input answers at once, on any machine.
ARGUMENTS = whole_numbers(sys.argv[1:], USAGE, [1, 2, 2, 1, 1]) if __name__ == '__main__' else None

import torch  # noqa: E402  (after the argument check, on purpose)

from peer_config import print_config, print_result, torch_config  # noqa: E402
from peer_timing import median_ns_per_estimate  # noqa: E402

torch.set_grad_enabled(False)


def problem(D, K, t=0.8):
    s = torch.linspace(-2, 2, D, dtype=torch.float64) if D > 1 else torch.zeros(1, dtype=torch.float64)
    theta = s[:, None] * (2 * torch.arange(K, dtype=torch.float64) / (K - 1) - 1)[None, :]
    c = torch.full((D, K), (1 - t) / (K - 1), dtype=torch.float64)
    c[torch.arange(D), torch.arange(D) % K] = t
    return theta.float(), c.float()


def softmax_jvp(y, g, tau):
    """(1/tau) J(y) g for y = softmax(z / tau), batched over the leading dimensions."""
    return y * (g - (y * g).sum(-1, keepdim=True)) / tau


def estimators(theta, c, S, gen):
    D, K = theta.shape
    pi = torch.softmax(theta, -1)

    def exponentials(*shape):
        return -torch.log(torch.rand(*shape, generator=gen))

    def onehot_sample(E):  # the exponential race = Gumbel-max
        return torch.nn.functional.one_hot((E / pi).argmin(-1), K).float()

    def gumbel_softmax(tau=0.5):
        E = exponentials(S, D, K)
        y = torch.softmax((theta - torch.log(E)) / tau, -1)
        return softmax_jvp(y, 2 * (y - c), tau)

    def st_gumbel_softmax(tau=1.0):
        E = exponentials(S, D, K)
        x = onehot_sample(E)
        y = torch.softmax((theta - torch.log(E)) / tau, -1)
        return softmax_jvp(y, 2 * (x - c), tau)

    def reinmax(tau=1.0):
        x = onehot_sample(exponentials(S, D, K))
        g = 2 * (x - c)
        pi1 = 0.5 * (x + torch.softmax(theta / tau, -1))
        return 2 * pi1 * (g - (pi1 * g).sum(-1, keepdim=True)) - 0.5 * pi * (g - (pi * g).sum(-1, keepdim=True))

    def gumbel_rao(tau=1.0, M=10):
        x = onehot_sample(exponentials(S, D, K))
        g = 2 * (x - c)
        E = exponentials(M, S, D, K)
        ED = torch.where(x > 0, E, torch.zeros(())).sum(-1, keepdim=True)
        ratio = torch.where(x > 0, torch.zeros(()), E / (pi * ED))
        w = (1 + ratio) ** (-1 / tau)
        y = w / w.sum(-1, keepdim=True)
        return softmax_jvp(y, g, tau).mean(0)

    def reinforce_loo(k=4):
        x = onehot_sample(exponentials(k, S, D, K))
        f = ((x - c) ** 2).sum((-1, -2))
        baseline = (f.sum(0, keepdim=True) - f) / (k - 1)
        return ((f - baseline)[..., None, None] * (x - pi)).sum(0) / k

    return {'gumbel-softmax': gumbel_softmax, 'st-gumbel-softmax': st_gumbel_softmax, 'reinmax': reinmax,
            'gumbel-rao': gumbel_rao, 'reinforce-loo': reinforce_loo}


def timing(D, K, S, reps=20):
    """Median ns per estimate of each estimator over `reps` batches of S estimates (after one warm-up batch)."""
    theta, c = problem(D, K)
    gen = torch.Generator().manual_seed(0)
    return median_ns_per_estimate(estimators(theta, c, S, gen), S, reps)


def main(numbers):
    D, K, S, reps, threads = (numbers + [32, 6, 8192, 20, os.cpu_count() or 1][len(numbers):])
    torch.set_num_threads(threads)
    print_config(torch_config(torch))
    print_result({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'D': D, 'K': K, 'S': S,
                  'nsPerEstimate': timing(D, K, S, reps)})
    return 0


if __name__ == '__main__':
    sys.exit(main(ARGUMENTS))
