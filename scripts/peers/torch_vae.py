#!/usr/bin/env python3
"""PyTorch CPU peer of estibench's mnist-binary-vae suite (suites/mnist-binary-vae.ts, layers 1) with
DisARM: the time of one training step, eager or (--compile) under torch.compile. `npm run peer:network
-- --suite mnist-binary-vae` alternates it with estibench's step (scripts/peer-network.ts).

Model (layers 1): encoder nn.Linear 784 -> 200 Bernoulli latent logits a, decoder nn.Linear 200 -> 784
Bernoulli pixel logits, Bernoulli(1/2) prior; per image L(b; a) = -log p(x | b) - log p(b) + log q(b | a),
the negative single-sample ELBO term; the loss is its minibatch mean. Each step draws B images from a
60 000 x 784 grey-level training set in memory (random values: a step's time does not depend on the
pixels) and binarises them afresh (x = 1[u < pixel]), as estibench does with MNIST.
Gradient as estibench's (suites/vae/vae-stages.ts, estimators/disarm.ts): DisARM (Dong, Mnih & Tucker
2020) for dL/da through b: the antithetic pair b = 1[u < s(a)], c = 1[u > 1 - s(a)], weight
1/2 (L(b) - L(c)) (-1)^c 1[b != c] s(|a|); plus the explicit dL/da at fixed b, c (from log q), averaged
over the pair; the decoder's gradient exact, averaged over the pair. Adam, lr 1e-3.

Run: .venv-peers/bin/python scripts/peers/torch_vae.py [BATCH=50] [STEPS=200] [THREADS=all cores] [--compile]
Prints two JSON lines: the peer's configuration (peer_config.py), then torch version, threads,
compiled, batch, msPerStep (median of STEPS steps after 20 warm-up steps), msPerStepMin, warmupSeconds.
"""
import math
import os
import sys

from peer_timing import network_arguments

USAGE = 'usage: torch_vae.py [BATCH] [STEPS] [THREADS] [--compile] (whole numbers >= 1)'
# Checked before torch is imported: bad input answers at once, on any machine.
ARGUMENTS = network_arguments(sys.argv[1:], USAGE, [1, 1, 1]) if __name__ == '__main__' else None

import torch  # noqa: E402  (after the argument check, on purpose)
import torch.nn.functional as F  # noqa: E402

from peer_timing import binarised_minibatch_step, run_network_peer  # noqa: E402

TRAINING_IMAGES = 60000
LATENTS = 200


def training_step(batch, compiled):
    """One Adam step on a fresh binarised minibatch, as a function of nothing (state in the closure)."""
    torch.manual_seed(0)
    encoder, decoder = torch.nn.Linear(784, LATENTS), torch.nn.Linear(LATENTS, 784)
    optimizer = torch.optim.Adam([*encoder.parameters(), *decoder.parameters()], lr=1e-3)
    grey = torch.rand(TRAINING_IMAGES, 784)
    log_prior = -LATENTS * math.log(2)

    def negative_elbo_term(x, h, a):
        """L(h; a) per image; a detached by the caller where only the decoder's gradient is wanted."""
        negative_log_likelihood = F.binary_cross_entropy_with_logits(decoder(h), x, reduction='none').sum(1)
        log_q = -F.binary_cross_entropy_with_logits(a, h, reduction='none').sum(1)
        return negative_log_likelihood - log_prior + log_q

    def loss_of(x):
        a = encoder(x)
        u = torch.rand_like(a)
        with torch.no_grad():
            p = torch.sigmoid(a)
            b = (u < p).float()
            c = (u > 1 - p).float()
        # The decoder's gradient (exact given b and c) comes through these; a is held fixed in them.
        loss_b = negative_elbo_term(x, b, a.detach())
        loss_c = negative_elbo_term(x, c, a.detach())
        with torch.no_grad():
            disarm = 0.5 * (loss_b - loss_c).unsqueeze(1) * torch.where(c > 0, -1.0, 1.0) * (b != c).float() * torch.sigmoid(a.abs())
        # The explicit dL/da at fixed h, from log q(h | a), averaged over the pair.
        log_q = -0.5 * (F.binary_cross_entropy_with_logits(a, b, reduction='sum') + F.binary_cross_entropy_with_logits(a, c, reduction='sum'))
        return (0.5 * (loss_b + loss_c).sum() + (disarm * a).sum() + log_q) / batch

    return binarised_minibatch_step(torch, grey, batch, loss_of, optimizer, compiled)


def main(arguments):
    numbers, compiled = arguments
    batch, steps, threads = numbers + [50, 200, os.cpu_count() or 1][len(numbers):]
    return run_network_peer(torch, lambda: training_step(batch, compiled), steps, threads, compiled, {'batch': batch})


if __name__ == '__main__':
    sys.exit(main(ARGUMENTS))
