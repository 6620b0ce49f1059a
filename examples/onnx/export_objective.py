#!/usr/bin/env python3
"""Export a PyTorch objective L(h) to ONNX for estibench's `onnx` suite, with its gradient dL/dh.

estibench feeds the hard node's output h [batch, D] (float32) to the model and reads `loss` [batch];
straight-through and relaxed estimators also need `grad` = dL/dh [batch, D]. ONNX has no autograd,
so this script traces the backward pass of the objective into the graph: make_fx records the aten
ops that torch.autograd.grad runs (backward ops decomposed into plain arithmetic) at batch size 1,
and the legacy ONNX exporter writes that graph with a dynamic batch axis.

Usage:
  python3 examples/onnx/export_objective.py --out objective.onnx [--units 12] [--no-grad] [--check check.json]
  npm run bench -- --suite onnx --set onnx.model=objective.onnx

Replace `Objective` with your own module: any function of h that returns one loss per row.
Tested with PyTorch 1.13 (Debian's python3-torch) and written for 2.x as well.
"""
import argparse
import json
import warnings

import torch
import torch.nn.functional as F
from torch.fx.experimental.proxy_tensor import make_fx
from torch._decomp import get_decompositions


class Objective(torch.nn.Module):
    """L(h): how badly a small fixed decoder reconstructs a target pattern from the binary code h."""

    def __init__(self, units: int, hidden: int = 32, pixels: int = 24):
        super().__init__()
        generator = torch.Generator().manual_seed(0)
        self.decoder = torch.nn.Sequential(torch.nn.Linear(units, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, pixels))
        with torch.no_grad():
            for parameter in self.decoder.parameters():
                parameter.copy_(torch.randn(parameter.shape, generator=generator) / parameter.shape[-1] ** 0.5)
        self.register_buffer('target', (torch.rand(pixels, generator=generator) > 0.5).float())

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        logits = self.decoder(h)
        # Bernoulli negative log-likelihood of the target pattern, one value per row of h. Written with
        # broadcasting rather than target.expand_as(logits): tracing would fix an expanded size.
        return (F.softplus(logits) - logits * self.target).sum(dim=1)


# The legacy exporter warns about shape inference of the constants that tracing leaves; the graph is
# checked against PyTorch with --check (estibench's tests do).
warnings.filterwarnings('ignore', message='The shape inference of prim::Constant type is missing')

# Backward ops that ONNX cannot express directly, rewritten as arithmetic while tracing.
BACKWARD_DECOMPOSITIONS = [
    'tanh_backward', 'sigmoid_backward', 'softplus_backward', 'threshold_backward', 'gelu_backward', 'log_sigmoid_backward',
    'elu_backward', 'leaky_relu_backward', 'silu_backward', 'hardtanh_backward', 'mse_loss_backward', 'binary_cross_entropy_with_logits',
]


def loss_and_gradient(objective: torch.nn.Module):
    """h -> (L(h), dL/dh), with the backward pass made of ordinary ops that make_fx can record."""

    def function(h: torch.Tensor):
        h = h.detach().requires_grad_(True)
        loss = objective(h)
        # grad_outputs = ones_like(loss) keeps the batch size symbolic (loss.sum() would fix it at the traced size).
        (gradient,) = torch.autograd.grad(loss, h, grad_outputs=torch.ones_like(loss))
        return loss.detach(), gradient

    return function


def export(objective: torch.nn.Module, units: int, path: str, with_gradient: bool) -> None:
    # Traced at batch 1: a size that tracing fixes (the expand in a reduction's backward) is then 1,
    # which ONNX broadcasts to any batch. A model that reshapes with its batch size baked in still
    # breaks; estibench then fails its cells with the shape it got.
    example = torch.zeros(1, units)
    axes = {'h': {0: 'batch'}, 'loss': {0: 'batch'}}
    if with_gradient:
        ops = [getattr(torch.ops.aten, name) for name in BACKWARD_DECOMPOSITIONS if hasattr(torch.ops.aten, name)]
        traced = make_fx(loss_and_gradient(objective), decomposition_table=get_decompositions(ops))(example)
        torch.onnx.export(traced, (example,), path, input_names=['h'], output_names=['loss', 'grad'],
                          dynamic_axes={**axes, 'grad': {0: 'batch'}}, opset_version=13)
    else:
        torch.onnx.export(objective, (example,), path, input_names=['h'], output_names=['loss'], dynamic_axes=axes, opset_version=13)


def write_check(objective: torch.nn.Module, units: int, path: str) -> None:
    """PyTorch's own L and dL/dh at a few h (binary and relaxed), for comparing with onnxruntime."""
    generator = torch.Generator().manual_seed(1)
    h = torch.cat([(torch.rand(6, units, generator=generator) > 0.5).float(), torch.rand(4, units, generator=generator)])
    loss, gradient = loss_and_gradient(objective)(h)
    with open(path, 'w') as file:
        json.dump({'units': units, 'h': h.tolist(), 'loss': loss.tolist(), 'grad': gradient.tolist()}, file)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', required=True, help='path of the .onnx file to write')
    parser.add_argument('--units', type=int, default=12, help='units D of the hard node (h is [batch, D])')
    parser.add_argument('--no-grad', action='store_true', help='export loss only (score-function estimators only)')
    parser.add_argument('--check', help='also write PyTorch outputs at a few h to this JSON file')
    args = parser.parse_args()
    objective = Objective(args.units).eval()
    export(objective, args.units, args.out, not args.no_grad)
    if args.check:
        write_check(objective, args.units, args.check)
    print(f'wrote {args.out}: input h [batch, {args.units}] float32, outputs loss [batch]' + ('' if args.no_grad else f', grad [batch, {args.units}]'))


if __name__ == '__main__':
    main()
