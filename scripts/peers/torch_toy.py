#!/usr/bin/env python3
"""PyTorch eager speed peer of estibench's bernoulli-toy suite (suites/bernoulli-toy.ts) for the five
mission estimators: vectorised tensor code, no autograd (each estimator's backward written out, as
estibench's kernels write it), timed per single-sample gradient estimate. `npm run peer` compares the
CPU backend with it (scripts/peer-compare.ts); torch_bernoulli_toy.py, beside it, covers the others.

Problem (bernoulli-toy at its defaults): theta = linspace(-2, 2, D), p = sigmoid(theta),
f(b) = sum_i (b_i - t)^2 with t = 0.45.
  ste-identity:    g = 2(b - t)
  ste-sigmoid:     g = 2(b - t) * p(1-p)
  bengio-unbiased: g = (b - p) * (f(b) - c_i), c_i = E[(b_i-p_i)^2 f] / E[(b_i-p_i)^2] from an independent pilot batch (1024)
  additive-noise:  x = theta + sigma*eps, h = clamp((x+1)/2, 0, 1), g = 2(h - t) * 1{-1<x<1} / 2   (sigma = 1)
  gumbel-softmax:  y = sigmoid((theta + log u - log(1-u))/tau), g = 2(y - t) * y(1-y) / tau       (tau = 0.5)
One timed batch = S estimates of the D-vector gradient plus their per-unit mean and variance (what
estibench's moments are); the median of `reps` batches after one warm-up batch, in ns per estimate.

Run: .venv-peers/bin/python scripts/peers/torch_toy.py D S [reps] [threads]
     (defaults 256 8192 20, threads = all cores; `npm run setup:peers` makes .venv-peers).
Prints two JSON lines: the peer's configuration (peer_config.py), then torch version, threads, D, S
and nsPerEstimate by estimator id.
"""
import os
import sys

from peer_config import whole_numbers

USAGE = 'usage: torch_toy.py D S [reps] [threads] (whole numbers, D >= 1, S >= 2, reps >= 1, threads >= 1)'
# Checked before torch is imported: bad input answers at once, on any machine.
ARGUMENTS = whole_numbers(sys.argv[1:], USAGE, [1, 2, 1, 1]) if __name__ == '__main__' else None

import torch  # noqa: E402  (after the argument check, on purpose)

from peer_config import print_config, print_result, torch_config  # noqa: E402
from peer_timing import median_ns_per_estimate  # noqa: E402

torch.set_grad_enabled(False)


def estimators(theta, t, S, sigma=1.0, tau=0.5, gen=None):
    D = theta.numel()
    p = torch.sigmoid(theta)
    score_slope = p * (1 - p)

    def ste_identity():
        b = (torch.rand(S, D, generator=gen) < p).float()
        return 2 * (b - t)

    def ste_sigmoid():
        b = (torch.rand(S, D, generator=gen) < p).float()
        return 2 * (b - t) * score_slope

    def bengio_unbiased():
        # pilot batch for the baseline (independent of the measured samples)
        b0 = (torch.rand(1024, D, generator=gen) < p).float()
        f0 = ((b0 - t) ** 2).sum(1, keepdim=True)
        w0 = (b0 - p) ** 2
        c = (w0 * f0).sum(0) / w0.sum(0).clamp_min(1e-12)
        b = (torch.rand(S, D, generator=gen) < p).float()
        f = ((b - t) ** 2).sum(1, keepdim=True)
        return (b - p) * (f - c)

    def additive_noise():
        x = theta + sigma * torch.randn(S, D, generator=gen)
        h = ((x + 1) / 2).clamp(0, 1)
        return 2 * (h - t) * ((x > -1) & (x < 1)).float() * 0.5

    def gumbel_softmax():
        u = torch.rand(S, D, generator=gen).clamp(1e-7, 1 - 1e-7)
        y = torch.sigmoid((theta + torch.log(u) - torch.log1p(-u)) / tau)
        return 2 * (y - t) * y * (1 - y) / tau

    return {'ste-identity': ste_identity, 'ste-sigmoid': ste_sigmoid, 'bengio-unbiased': bengio_unbiased,
            'additive-noise': additive_noise, 'gumbel-softmax': gumbel_softmax}


def timing(D=256, S=8192, reps=20, t=0.45):
    """Median ns per estimate of each estimator over `reps` batches of S estimates."""
    theta = torch.linspace(-2, 2, D) if D > 1 else torch.zeros(1)
    gen = torch.Generator().manual_seed(0)
    return median_ns_per_estimate(estimators(theta, t, S, gen=gen), S, reps)


def main(numbers):
    D, S, reps, threads = numbers + [256, 8192, 20, os.cpu_count() or 1][len(numbers):]
    torch.set_num_threads(threads)
    print_config(torch_config(torch))
    print_result({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'D': D, 'S': S,
                  'nsPerEstimate': timing(D, S, reps)})
    return 0


if __name__ == '__main__':
    sys.exit(main(ARGUMENTS))
