#!/usr/bin/env python3
"""PyTorch eager speed peer of estibench's bernoulli-toy suite (suites/bernoulli-toy.ts) for the Bernoulli
estimators that torch_toy.py, beside it, lacks.

What it implements: seven Bernoulli estimators of estibench as vectorised tensor code (no autograd: each
estimator's backward is written out, as estibench's kernels write it), on the exact problem of
bernoulli-toy at its defaults:
  D units, theta = linspace(-2, 2, D) (theta = 0 for a single unit), p = sigmoid(theta);
  f(b) = sum_i (b_i - t)^2 with t = 0.45 (power 2), so dL/dh = 2 (h - t) and the exact gradient is
  dE[f]/dtheta_i = p_i (1 - p_i) (1 - 2t).
Estimators at estibench's default parameters (estimators/<id>.ts), u ~ U(0, 1) one per element and
evaluation unless said otherwise:
  reinforce-loo (k = 4):   k samples b_j = 1[u_j < p], g = (1/k) sum_j (f(b_j) - mean of the other k - 1) (b_j - p)
  arm:                     one u per element, b1 = 1[u > 1 - p], b2 = 1[u < p], g = (f(b1) - f(b2)) (u - 1/2)
  disarm:                  one u per element, b = 1[u < p], b' = 1[u > 1 - p], m = min(p, 1 - p),
                           g = 1/2 (f(b) - f(b')) (1 - m) (1[u < m] - 1[u > 1 - m])
  hard-sigmoid-st:         b = 1[u < clip((theta + 1)/2, 0, 1)], g = 2 (b - t) * 1/2 * 1[-1 < theta < 1]
  slope-annealed-st:       the hard sigmoid of slope a = min(5, 1 + 0.04 step) (Chung et al.), a = 1 at step 0
                           (scoring): b = 1[u < clip((a theta + 1)/2, 0, 1)], g = 2 (b - t) * a/2 * 1[-1 < a theta < 1]
  stochastic-times-smooth: b = 1[u < sqrt p], h = b sqrt p, g = b 2 (h - t) * 1/2 sqrt p (1 - p)
  multiplicative-noise:    m = 1 + sigma eps, eps ~ N(0, 1), sigma = 1, h = p m, g = 2 (h - t) m p (1 - p)
reinforce-loo costs k evaluations of f per estimate, arm and disarm two, the others one. What depends on
theta only (p, the masks and slopes) is computed once per batch, as a user of PyTorch would write it.
One timed batch = S single-sample estimates of the D-vector gradient plus their per-unit mean and
variance (what estibench's moments are); the median of `reps` batches, in ns per estimate.

Run: .venv-peers/bin/python scripts/peers/torch_bernoulli_toy.py D S [reps] [threads]
     (defaults 256 8192 20, threads = all cores; `npm run setup:peers` makes .venv-peers); or through
     `npm run peer:bernoulli`. Prints two JSON lines: the peer's configuration (peer_config.py), then
     torch version, threads, D, S, nsPerEstimate by estimator id.
     .venv-peers/bin/python scripts/peers/torch_bernoulli_toy.py --check [D] [S]
checks every estimator's mean over S estimates (defaults 16 and 400000) against its expectation in
closed form (the exact gradient for the unbiased three) within 5 standard errors; exit 1 on a miss.
peer_timing.py, beside it, times the batches.
"""
import os
import sys

from peer_config import whole_numbers

USAGE = ('usage: torch_bernoulli_toy.py D S [reps] [threads] (whole numbers >= 1, S >= 2) '
         'or torch_bernoulli_toy.py --check [D] [S]')


def arguments(argv):
    """(checking, numbers) from the command line; bad input: one line and exit 2."""
    checking = argv[:1] == ['--check']
    return checking, whole_numbers(argv[1:] if checking else argv, USAGE, [1, 2] if checking else [1, 2, 1, 1])


# Checked before torch is imported: bad input answers at once, on any machine.
ARGUMENTS = arguments(sys.argv[1:]) if __name__ == '__main__' else None

import torch  # noqa: E402  (after the argument check, on purpose)

from peer_config import print_config, print_result, torch_config  # noqa: E402
from peer_timing import median_ns_per_estimate  # noqa: E402

torch.set_grad_enabled(False)

TARGET = 0.45


def problem(D):
    theta = torch.linspace(-2, 2, D, dtype=torch.float64) if D > 1 else torch.zeros(1, dtype=torch.float64)
    return theta.float()


def estimators(theta, S, gen, t=TARGET):
    D = theta.numel()
    p = torch.sigmoid(theta)
    score_slope = p * (1 - p)

    def uniforms(*shape):
        return torch.rand(*shape, D, generator=gen)

    def objective(h):  # f over the last dimension
        return ((h - t) ** 2).sum(-1)

    def reinforce_loo(k=4):
        b = (uniforms(k, S) < p).float()
        f = objective(b)
        others_mean = (f.sum(0, keepdim=True) - f) / (k - 1)
        return ((f - others_mean)[..., None] * (b - p)).sum(0) / k

    def arm():
        u = uniforms(S)
        f1 = objective((u > 1 - p).float())
        f2 = objective((u < p).float())
        return (f1 - f2)[:, None] * (u - 0.5)

    smaller = torch.minimum(p, 1 - p)

    def disarm():
        u = uniforms(S)
        f_b = objective((u < p).float())
        f_b_prime = objective((u > 1 - p).float())
        direction = (u < smaller).float() - (u > 1 - smaller).float()
        return (0.5 * (f_b - f_b_prime))[:, None] * ((1 - smaller) * direction)

    hard_probability = ((theta + 1) * 0.5).clamp(0, 1)
    hard_slope = 0.5 * ((theta > -1) & (theta < 1)).float()

    def hard_sigmoid_st():
        b = (uniforms(S) < hard_probability).float()
        return 2 * (b - t) * hard_slope

    def slope_annealed_st(step=0, slope_rate=0.04, max_slope=5.0):
        slope = min(max_slope, 1 + slope_rate * step)
        probability = ((slope * theta + 1) * 0.5).clamp(0, 1)
        proxy = 0.5 * slope * ((slope * theta > -1) & (slope * theta < 1)).float()
        b = (uniforms(S) < probability).float()
        return 2 * (b - t) * proxy

    smooth = torch.sqrt(p)
    smooth_slope = 0.5 * smooth * (1 - p)

    def stochastic_times_smooth():
        b = (uniforms(S) < smooth).float()
        return b * (2 * (b * smooth - t)) * smooth_slope

    def multiplicative_noise(sigma=1.0):
        m = 1 + sigma * torch.randn(S, D, generator=gen)
        return 2 * (p * m - t) * m * score_slope

    return {'reinforce-loo': reinforce_loo, 'arm': arm, 'disarm': disarm, 'hard-sigmoid-st': hard_sigmoid_st,
            'slope-annealed-st': slope_annealed_st, 'stochastic-times-smooth': stochastic_times_smooth,
            'multiplicative-noise': multiplicative_noise}


def expectations(theta, t=TARGET):
    """Each estimator's expectation in closed form (float64), derived from the definitions above."""
    theta = theta.double()
    p = torch.sigmoid(theta)
    exact = p * (1 - p) * (1 - 2 * t)
    q = ((theta + 1) * 0.5).clamp(0, 1)
    inside = ((theta > -1) & (theta < 1)).double()
    return {
        'reinforce-loo': exact, 'arm': exact, 'disarm': exact,
        # E[2 (b - t)] / 2 with b ~ Bernoulli(q), inside the hard sigmoid's slope
        'hard-sigmoid-st': inside * (q - t),
        # at step 0 the slope is 1: hard-sigmoid-st's expectation
        'slope-annealed-st': inside * (q - t),
        # P(b = 1) = sqrt p, and then h = sqrt p
        'stochastic-times-smooth': p * (1 - p) * (torch.sqrt(p) - t),
        # E[m] = 1, E[m^2] = 1 + sigma^2 = 2
        'multiplicative-noise': 2 * p * (1 - p) * (2 * p - t),
    }


def moments(D, S, chunk=50000, seed=1):
    """Per-unit mean and variance (float64) of S estimates of each estimator, drawn `chunk` at a time."""
    theta = problem(D)
    gen = torch.Generator().manual_seed(seed)
    chunk = min(chunk, S)
    result = {}
    for name, estimate in estimators(theta, chunk, gen).items():
        g = torch.cat([estimate().double() for _ in range(-(-S // chunk))])[:S]
        result[name] = {'mean': g.mean(0).tolist(), 'variance': g.var(0).tolist()}
    return result


def check(D=16, S=400000):
    """Mean of S estimates against the expectations; True when every unit is within 5 standard errors."""
    expected = expectations(problem(D))
    ok = True
    for name, moment in moments(D, S).items():
        mean, variance = torch.tensor(moment['mean']), torch.tensor(moment['variance'])
        # a unit whose estimates are all equal (standard error 0) must match exactly, up to float32 rounding
        standard_error = (variance / S).sqrt().clamp_min(1e-7)
        z = ((mean - expected[name]).abs() / standard_error).max().item()
        ok = ok and z < 5
        print(f"{name:24s} max |mean - expected| / s.e. = {z:5.2f} over {D} units, {S} estimates: {'ok' if z < 5 else 'MISS'}")
    return ok


def timing(D, S, reps=20):
    """Median ns per estimate of each estimator over `reps` batches of S estimates (after one warm-up batch)."""
    theta = problem(D)
    gen = torch.Generator().manual_seed(0)
    return median_ns_per_estimate(estimators(theta, S, gen), S, reps)


def main(checking, numbers):
    if checking:
        return 0 if check(*numbers) else 1
    D, S, reps, threads = (numbers + [256, 8192, 20, os.cpu_count() or 1][len(numbers):])
    torch.set_num_threads(threads)
    print_config(torch_config(torch))
    print_result({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'D': D, 'S': S,
                  'nsPerEstimate': timing(D, S, reps)})
    return 0


if __name__ == '__main__':
    sys.exit(main(*ARGUMENTS))
