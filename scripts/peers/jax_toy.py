#!/usr/bin/env python3
"""JAX (XLA, jit-compiled) speed peer of estibench's bernoulli-toy suite: the five estimators of
torch_toy.py, beside it, with the same definitions, arguments and output. `npm run peer` compares the
CPU backend with it (scripts/peer-compare.ts).

Each timed call is one jitted function: noise (jax.random), forward, objective, gradient, and the
reduction to the per-unit mean and the summed unbiased variance, fused by XLA; the median of `reps`
calls after a compile/warm-up call, with block_until_ready, in ns per estimate.
Definitions (as torch_toy.py): theta = linspace(-2, 2, D), p = sigmoid(theta), f(b) = sum_i (b_i - t)^2, t = 0.45
  ste-identity:    g = 2(b - t)
  ste-sigmoid:     g = 2(b - t) * p(1-p)
  bengio-unbiased: g = (b - p) * (f(b) - c_i), c_i = E[(b_i-p_i)^2 f] / E[(b_i-p_i)^2] from an independent pilot batch (1024)
  additive-noise:  x = theta + sigma*eps, h = clamp((x+1)/2, 0, 1), g = 2(h - t) * 1{-1<x<1} / 2   (sigma = 1)
  gumbel-softmax:  y = sigmoid((theta + log u - log(1-u))/tau), g = 2(y - t) * y(1-y) / tau       (tau = 0.5)

Run: .venv-peers/bin/python scripts/peers/jax_toy.py D S [reps] (defaults 256 8192 20; `npm run
setup:peers` makes .venv-peers). Threads: XLA's CPU client uses every core of the process's affinity
mask unless XLA_FLAGS restricts it. JAX_PRNG=threefry2x32 (default, JAX's own) | rbg | unsafe_rbg picks
the PRNG. Prints two JSON lines: the peer's configuration (peer_config.py), then jax version, prng, D, S
and nsPerEstimate by estimator id.
"""
import os
import sys
import time

from peer_config import whole_numbers

USAGE = 'usage: jax_toy.py D S [reps] (whole numbers, D >= 1, S >= 2, reps >= 1)'
PRNGS = ('threefry2x32', 'rbg', 'unsafe_rbg')
if __name__ == '__main__':
    # Checked before jax is imported: bad input answers at once, on any machine.
    ARGUMENTS = whole_numbers(sys.argv[1:], USAGE, [1, 2, 1])
    if os.environ.get('JAX_PRNG', 'threefry2x32') not in PRNGS:
        sys.stderr.write(f"jax_toy.py: JAX_PRNG must be one of {', '.join(PRNGS)} (got '{os.environ['JAX_PRNG']}')\n")
        sys.exit(2)

import jax  # noqa: E402  (after the argument check, on purpose)
import jax.numpy as jnp  # noqa: E402

from peer_config import jax_config, print_config, print_result  # noqa: E402

jax.config.update('jax_default_prng_impl', os.environ.get('JAX_PRNG', 'threefry2x32'))


def estimators(theta, t, S, sigma=1.0, tau=0.5):
    p = jax.nn.sigmoid(theta)
    D = theta.shape[0]

    def ste_identity(key):
        b = (jax.random.uniform(key, (S, D), jnp.float32) < p).astype(jnp.float32)
        return 2 * (b - t)

    def ste_sigmoid(key):
        b = (jax.random.uniform(key, (S, D), jnp.float32) < p).astype(jnp.float32)
        return 2 * (b - t) * (p * (1 - p))

    def bengio_unbiased(key):
        k0, k1 = jax.random.split(key)
        b0 = (jax.random.uniform(k0, (1024, D), jnp.float32) < p).astype(jnp.float32)
        f0 = ((b0 - t) ** 2).sum(1, keepdims=True)
        w0 = (b0 - p) ** 2
        c = (w0 * f0).sum(0) / jnp.maximum(w0.sum(0), 1e-12)
        b = (jax.random.uniform(k1, (S, D), jnp.float32) < p).astype(jnp.float32)
        f = ((b - t) ** 2).sum(1, keepdims=True)
        return (b - p) * (f - c)

    def additive_noise(key):
        x = theta + sigma * jax.random.normal(key, (S, D), jnp.float32)
        h = jnp.clip((x + 1) / 2, 0, 1)
        return 2 * (h - t) * ((x > -1) & (x < 1)).astype(jnp.float32) * 0.5

    def gumbel_softmax(key):
        u = jnp.clip(jax.random.uniform(key, (S, D), jnp.float32), 1e-7, 1 - 1e-7)
        y = jax.nn.sigmoid((theta + jnp.log(u) - jnp.log1p(-u)) / tau)
        return 2 * (y - t) * y * (1 - y) / tau

    return {'ste-identity': ste_identity, 'ste-sigmoid': ste_sigmoid, 'bengio-unbiased': bengio_unbiased,
            'additive-noise': additive_noise, 'gumbel-softmax': gumbel_softmax}


def timed_step(fn):
    """One jitted call: a fresh key from the carried one, the S estimates, their mean and summed variance."""
    @jax.jit
    def step(key):
        key, sub = jax.random.split(key)
        g = fn(sub)
        return key, g.mean(0), g.var(0, ddof=1).sum()
    return step


def timing(D=256, S=8192, reps=20, t=0.45):
    """Median ns per estimate of each estimator over `reps` jitted calls of S estimates."""
    theta = jnp.linspace(-2, 2, D, dtype=jnp.float32) if D > 1 else jnp.zeros(1, jnp.float32)
    key = jax.random.PRNGKey(0)
    result = {}
    for name, fn in estimators(theta, t, S).items():
        step = timed_step(fn)
        key, m, v = step(key)
        jax.block_until_ready((key, m, v))  # compile + warm-up
        times = []
        for _ in range(reps):
            start = time.perf_counter()
            key, m, v = step(key)
            jax.block_until_ready((key, m, v))
            times.append(time.perf_counter() - start)
        times.sort()
        result[name] = times[len(times) // 2] / S * 1e9
    return result


def main(numbers):
    D, S, reps = numbers + [256, 8192, 20][len(numbers):]
    config = jax_config(jax)
    config['prng'] = os.environ.get('JAX_PRNG', 'threefry2x32')
    print_config(config)
    print_result({'jax': jax.__version__, 'prng': config['prng'], 'devices': [str(d) for d in jax.devices()],
                  'D': D, 'S': S, 'nsPerEstimate': timing(D, S, reps)})
    return 0


if __name__ == '__main__':
    sys.exit(main(ARGUMENTS))
