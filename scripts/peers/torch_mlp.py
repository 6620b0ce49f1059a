#!/usr/bin/env python3
"""PyTorch CPU peer of estibench's mnist-quantized-mlp suite (suites/mnist-quantized-mlp.ts): the time
of one training step, eager or (--compile) under torch.compile. `npm run peer:network` alternates it
with estibench's step (scripts/peer-network.ts).

Network: 784 -> 256 -> 256 -> 10 (nn.Linear layers, initialised as estibench initialises them), a
k-bit activation quantizer q(x) = round(clip(x, 0, 1) * (2^k - 1)) / (2^k - 1) after each hidden layer,
straight-through backward with the clipped-ReLU proxy 1{0 < x < 1} (estibench's ste-clipped-relu),
full-precision weights, softmax cross-entropy, Adam (lr 1e-3), a minibatch of B images per step drawn
from a 60 000 x 784 float32 training set in memory (random values: a step's time does not depend on
the pixels; the labels are random too).

Run: .venv-peers/bin/python scripts/peers/torch_mlp.py [BITS=1] [BATCH=100] [STEPS=200] [THREADS=all cores] [--compile]
Prints two JSON lines: the peer's configuration (peer_config.py), then torch version, threads,
compiled, bits, batch, msPerStep (median of STEPS steps after 20 warm-up steps), msPerStepMin, warmupSeconds.
"""
import os
import sys

from peer_timing import network_arguments

USAGE = 'usage: torch_mlp.py [BITS] [BATCH] [STEPS] [THREADS] [--compile] (whole numbers >= 1)'
# Checked before torch is imported: bad input answers at once, on any machine.
ARGUMENTS = network_arguments(sys.argv[1:], USAGE, [1, 1, 1, 1]) if __name__ == '__main__' else None

import torch  # noqa: E402  (after the argument check, on purpose)
import torch.nn.functional as F  # noqa: E402

from peer_timing import run_network_peer  # noqa: E402

TRAINING_IMAGES = 60000


class Quantize(torch.autograd.Function):
    """k-bit quantizer forward, clipped-ReLU straight-through backward."""

    @staticmethod
    def forward(ctx, x, levels):
        ctx.save_for_backward(x)
        return torch.round(x.clamp(0, 1) * levels) / levels

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ((x > 0) & (x < 1)).to(grad.dtype), None


def training_step(bits, batch, compiled):
    """One Adam step on a fresh minibatch, as a function of nothing (the state lives in the closure)."""
    levels = float(2 ** bits - 1)
    torch.manual_seed(0)
    layers = torch.nn.ModuleList([torch.nn.Linear(784, 256), torch.nn.Linear(256, 256), torch.nn.Linear(256, 10)])
    optimizer = torch.optim.Adam(layers.parameters(), lr=1e-3)
    images = torch.rand(TRAINING_IMAGES, 784)
    labels = torch.randint(0, 10, (TRAINING_IMAGES,))

    def loss_of(x, y):
        h1 = Quantize.apply(layers[0](x), levels)
        h2 = Quantize.apply(layers[1](h1), levels)
        return F.cross_entropy(layers[2](h2), y)

    def update():
        optimizer.step()

    if compiled:
        loss_of = torch.compile(loss_of)
        update = torch.compile(update)

    def step():
        rows = torch.randint(0, TRAINING_IMAGES, (batch,))
        loss = loss_of(images[rows], labels[rows])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        update()

    return step


def main(arguments):
    numbers, compiled = arguments
    bits, batch, steps, threads = numbers + [1, 100, 200, os.cpu_count() or 1][len(numbers):]
    return run_network_peer(torch, lambda: training_step(bits, batch, compiled), steps, threads, compiled, {'bits': bits, 'batch': batch})


if __name__ == '__main__':
    sys.exit(main(ARGUMENTS))
