#!/usr/bin/env python3
"""PyTorch CPU peer of estibench's mnist-categorical-vae suite (suites/mnist-categorical-vae.ts) at its
defaults with the Gumbel-softmax estimator: the time of one training step, eager or (--compile) under
torch.compile. `npm run peer:network -- --suite mnist-categorical-vae` alternates it with estibench's
step (scripts/peer-network.ts).

Model (Jang, Gu & Poole 2016; suites/vae/): 20 categorical latent units of 10 classes, uniform prior,
Bernoulli pixels; encoder nn.Linear 784 -> 512 -> 256 -> 200 logits a (ReLU hidden units), decoder
200 -> 256 -> 512 -> 784 pixel logits (ReLU). Per image L(h; a) = -log p(x | h) - log p(h) + log q(h | a),
log q(h | a) = sum_units sum_k h_k log softmax(a)_k, evaluated at the relaxed h as written (as estibench
does); the loss is its minibatch mean. Each step draws B images from a 60 000 x 784 grey-level training
set in memory (random values: a step's time does not depend on the pixels) and binarises them afresh.
Gradient as estibench's gumbel-softmax (estimators/gumbel-softmax.ts, tau 0.5 by default): h =
softmax((a + G) / tau) per unit, G i.i.d. Gumbel(0, 1); autograd differentiates L through h and through
log softmax(a) in log q (estibench's explicit dL/da term). Adam, lr 1e-3.

Run: .venv-peers/bin/python scripts/peers/torch_categorical_vae.py [BATCH=100] [STEPS=200] [THREADS=all cores] [--compile]
Prints two JSON lines: the peer's configuration (peer_config.py), then torch version, threads,
compiled, batch, msPerStep (median of STEPS steps after 20 warm-up steps), msPerStepMin, warmupSeconds.
"""
import math
import os
import sys

from peer_timing import network_arguments

USAGE = 'usage: torch_categorical_vae.py [BATCH] [STEPS] [THREADS] [--compile] (whole numbers >= 1)'
# Checked before torch is imported: bad input answers at once, on any machine.
ARGUMENTS = network_arguments(sys.argv[1:], USAGE, [1, 1, 1]) if __name__ == '__main__' else None

import torch  # noqa: E402  (after the argument check, on purpose)
import torch.nn.functional as F  # noqa: E402

from peer_timing import binarised_minibatch_step, run_network_peer  # noqa: E402

TRAINING_IMAGES = 60000
UNITS, CLASSES = 20, 10
HIDDEN_OUTER, HIDDEN_INNER = 512, 256
TAU = 0.5


def training_step(batch, compiled):
    """One Adam step on a fresh binarised minibatch, as a function of nothing (state in the closure)."""
    torch.manual_seed(0)
    width = UNITS * CLASSES
    encoder = torch.nn.Sequential(torch.nn.Linear(784, HIDDEN_OUTER), torch.nn.ReLU(), torch.nn.Linear(HIDDEN_OUTER, HIDDEN_INNER),
                                  torch.nn.ReLU(), torch.nn.Linear(HIDDEN_INNER, width))
    decoder = torch.nn.Sequential(torch.nn.Linear(width, HIDDEN_INNER), torch.nn.ReLU(), torch.nn.Linear(HIDDEN_INNER, HIDDEN_OUTER),
                                  torch.nn.ReLU(), torch.nn.Linear(HIDDEN_OUTER, 784))
    optimizer = torch.optim.Adam([*encoder.parameters(), *decoder.parameters()], lr=1e-3)
    grey = torch.rand(TRAINING_IMAGES, 784)
    log_prior = -UNITS * math.log(CLASSES)

    def loss_of(x):
        a = encoder(x).view(-1, UNITS, CLASSES)
        u = torch.rand_like(a).clamp(1e-7, 1 - 1e-7)
        gumbel = -torch.log(-torch.log(u))
        h = torch.softmax((a + gumbel) / TAU, -1)
        negative_log_likelihood = F.binary_cross_entropy_with_logits(decoder(h.view(-1, width)), x, reduction='none').sum(1)
        log_q = (h * torch.log_softmax(a, -1)).sum((1, 2))
        return (negative_log_likelihood - log_prior + log_q).mean()

    return binarised_minibatch_step(torch, grey, batch, loss_of, optimizer, compiled)


def main(arguments):
    numbers, compiled = arguments
    batch, steps, threads = numbers + [100, 200, os.cpu_count() or 1][len(numbers):]
    return run_network_peer(torch, lambda: training_step(batch, compiled), steps, threads, compiled, {'batch': batch})


if __name__ == '__main__':
    sys.exit(main(ARGUMENTS))
