#!/usr/bin/env python3
"""PyTorch CPU peer of estibench's mnist-binary-vae suite (layers 1) with REBAR (estimators/rebar.ts) or RELAX
(estimators/relax.ts): the time of one training step, computed as estibench computes it. `npm run
peer:network -- --suite mnist-binary-vae --estimator rebar` (or relax) alternates it with estibench's step
(scripts/peer-network.ts).

Model as torch_vae.py's (layers 1): encoder nn.Linear 784 -> 200 Bernoulli logits a, decoder nn.Linear
200 -> 784 pixel logits, Bernoulli(1/2) prior, L(h; a) = -log p(x | h) - log p(h) + log q(h | a) per image
with log q(h | a) = sum h a - softplus(a), evaluated at relaxed h as written; the loss is its minibatch
mean; B images drawn from a 60 000 x 784 grey-level set in memory and binarised afresh each estimate.

REBAR (Tucker et al. 2017) as estibench's kernels compute it, per latent unit with u, v ~ U(0, 1) and
p = s(a): three evaluations of L, at the hard b = 1[u < p], at the relaxed s(z / lam) with
z = a + log((1 - u) / u), and at the conditional relaxed s(zc / lam), zc = a + logit(w), w uniform on
(1 - p, 1) given b = 1 (w = 1 - p + v p) and on (0, 1 - p) given b = 0 (w = v (1 - p)); then
  dL/da = (b - p) (L(b) - eta L(s(zc/lam))) + eta dL/dh(s(z/lam)) ds(z/lam)/da - eta dL/dh(s(zc/lam)) ds(zc/lam)/da
plus the explicit term d log q(h | a)/da = b - p of the hard evaluation only (the relaxed evaluations are
auxiliary points, not draws of q: estibench's `sampleEvaluations`, suites/vae/vae-objective.ts
addPathwiseTerm); the decoder's gradient is the minibatch mean of the hard evaluations' (the relaxed rows
are decoded with the weights held, so they give dL/dh but no weight gradient; estibench zeroes their rows,
models/single-node.ts averageOverDraws). Before estibench's fix both were averaged over the three
evaluations, which biases the step (docs/measurements/2026-12-07-rebar-relax-step.md): `--check` shows
that form missing its expectation.

RELAX (Grathwohl et al. 2018) as estibench's relax computes it: REBAR's control variate plus a network
r(z) = w2 . tanh(W1 z + b1) + b2 over the row's 200 logistic samples (10 hidden units, initial weights
N(0, 0.1^2)), which adds to dL/da per element
  t = -r(zc) (b - p) + dr(z)/dz - dr(zc)/dzc dzc/da
(input gradients by autograd with create_graph); the network's weights are stepped by Adam (lr 0.01) down
d/drho of the mean over the minibatch's rows of sum_i g_i^2, g the node's estimate (REBAR's terms plus t,
without the explicit term), from the step's own estimate (double backward); eta and lam as REBAR's.

Online adaptation as estibench's harness does it (harness/estimator-state.ts): after the step's
estimate, the same estimate (the same minibatch, binarisation and u, v: common random numbers) is redrawn
at eta +- 0.5 and at lam (1 +- 0.1); the central differences of the total second moment sum g^2 over all
parameters (float32 dot products; estibench sums in float64) give the variance gradients, and Adam (lr 0.01, betas 0.9, 0.999, eps 1e-8) steps eta and
log lam down them (d/dlog lam = lam d/dlam). Five estimates per step; the parameters' Adam has lr 1e-3.

Run: .venv-peers/bin/python scripts/peers/torch_vae_rebar.py rebar|relax [BATCH=50] [STEPS=200] [THREADS=all cores]
Prints two JSON lines: the peer's configuration (peer_config.py), then torch version, threads,
batch, msPerStep (median of STEPS steps after 20 warm-up steps), msPerStepMin, warmupSeconds, and the
final eta and lam (and RELAX's network weights' Euclidean norm, surrogateNorm).
     .venv-peers/bin/python scripts/peers/torch_vae_rebar.py --check [SAMPLES=400000]
checks the estimate on a small model (3 latents, 5 pixels, one image, float64): its mean dL/da over
SAMPLES estimates at several (eta, lam) against the exact gradient of E_q[L(b; a)], derived independently
in `check` by enumerating the 8 latent states; within 5 standard errors; REBAR and RELAX (with a random
network of weights N(0, 1), whose term has mean zero); and, to show the check has the power to see the
bias estibench had, the same estimates with the explicit term averaged over the three evaluations must
miss (|z| >= 5 somewhere) where that form's bias, 2/3 (E[s(z / lam)] - p), is at least 10 standard
errors. Exit 1 on a miss of the first kind or a pass of the second.
"""
import math
import os
import sys

from peer_config import whole_numbers
from peer_timing import network_arguments

ESTIMATORS = ('rebar', 'relax')
USAGE = 'usage: torch_vae_rebar.py rebar|relax [BATCH] [STEPS] [THREADS] (whole numbers >= 1) or torch_vae_rebar.py --check [SAMPLES]'


def arguments(argv):
    """('check', [samples]) or (estimator, [batch, steps, threads]); bad input: one line and exit 2."""
    if argv[:1] == ['--check']:
        return '--check', whole_numbers(argv[1:], USAGE, [100])
    if argv[:1] and argv[0] in ESTIMATORS:
        numbers, compiled = network_arguments(argv[1:], USAGE, [1, 1, 1])
        if not compiled:
            return argv[0], numbers
    sys.stderr.write(USAGE + '\n')
    sys.exit(2)


# Checked before torch is imported: bad input answers at once, on any machine.
ARGUMENTS = arguments(sys.argv[1:]) if __name__ == '__main__' else None

import torch  # noqa: E402  (after the argument check, on purpose)
import torch.nn.functional as F  # noqa: E402

from peer_config import print_config, print_result, torch_config  # noqa: E402
from peer_timing import time_training_steps  # noqa: E402

TRAINING_IMAGES = 60000
PIXELS = 784
LATENTS = 200
EVALUATIONS = 3
# estimators/rebar.ts defaults: initial eta and lam, Adam rates, and the harness's difference half-widths.
INITIAL_ETA, INITIAL_TEMPERATURE = 1.0, 0.5
ETA_RATE, TEMPERATURE_RATE = 0.01, 0.01
ETA_DELTA, TEMPERATURE_DELTA = 0.5, 0.1
# estimators/relax.ts defaults: the network's hidden units, initial weights' deviation and Adam rate.
SURROGATE_HIDDEN, SURROGATE_SCALE, SURROGATE_RATE = 10, 0.1, 0.01


def relaxed_evaluations(a, u, v, temperature):
    """The three evaluations' h (hard b, s(z / lam), s(zc / lam)), p and dzc/da, per element of a (no gradient)."""
    p = torch.sigmoid(a)
    b = (u < p).to(a.dtype)
    z = a + torch.log((1 - u) / u)
    hard = b > 0
    w = torch.where(hard, 1 - p + v * p, v * (1 - p))
    dw_dp = torch.where(hard, v - 1, -v)
    conditional = a + torch.log(w / (1 - w))
    spread = w * (1 - w)
    # Where w rounds to 0 or 1 the relaxed value is saturated (slope 0): keep the product finite, as rebar.ts does.
    dconditional_da = torch.where(spread > 0, 1 + p * (1 - p) * dw_dp / spread.clamp_min(torch.finfo(a.dtype).tiny), torch.ones_like(a))
    return torch.stack([b, torch.sigmoid(z / temperature), torch.sigmoid(conditional / temperature)], 1), p, dconditional_da


def rebar_node_estimate(h, p, dconditional_da, loss, dloss_dh, eta, temperature):
    """REBAR's three terms per element: what estibench's hard node returns (the explicit term is added after it).

    h, dloss_dh: [rows, 3, units]; loss: [rows, 3]; p, dconditional_da: [rows, units].
    """
    b, relaxed, conditional = h.unbind(1)
    score = b - p
    gradient = score * (loss[:, :1] - eta * loss[:, 2:3])
    gradient += eta * dloss_dh[:, 1] * relaxed * (1 - relaxed) / temperature
    return gradient - eta * dloss_dh[:, 2] * conditional * (1 - conditional) / temperature * dconditional_da


def negative_elbo_terms(decoder, h, x, a):
    """L(h; a) of every row of h ([rows, units]) against images x and logits a of the same rows."""
    negative_log_likelihood = F.binary_cross_entropy_with_logits(decoder(h), x, reduction='none').sum(1)
    return negative_log_likelihood + h.shape[1] * math.log(2) + (h * a - F.softplus(a)).sum(1)


def surrogate_network(units, generator=None, scale=SURROGATE_SCALE, dtype=torch.float32):
    """RELAX's r: one hidden layer of tanh units over a row's logistic samples, every weight N(0, scale^2)."""
    network = torch.nn.Sequential(torch.nn.Linear(units, SURROGATE_HIDDEN), torch.nn.Tanh(), torch.nn.Linear(SURROGATE_HIDDEN, 1)).to(dtype)
    with torch.no_grad():
        for weight in network.parameters():
            weight.copy_(scale * torch.randn(weight.shape, generator=generator, dtype=dtype))
    return network


def surrogate_term(network, a, u, v, p, b, dconditional_da):
    """RELAX's network term per element, t = -r(zc)(b - p) + dr(z)/dz - dr(zc)/dzc dzc/da, differentiable in the network's weights."""
    rows = a.shape[0]
    z = a + torch.log((1 - u) / u)
    w = torch.where(b > 0, 1 - p + v * p, v * (1 - p))
    samples = torch.cat([z, a + torch.log(w / (1 - w))]).requires_grad_()
    values = network(samples).squeeze(1)
    input_gradient, = torch.autograd.grad(values.sum(), samples, create_graph=True)
    return -values[rows:].unsqueeze(1) * (b - p) + input_gradient[:rows] - input_gradient[rows:] * dconditional_da


def estimate_logit_gradient(decoder, x, a, u, v, eta, temperature, decoder_parameters=(), network=None):
    """estibench's dL/da per element ([rows, units]): the node's estimate (REBAR's terms, plus RELAX's network
    term t with a `network`) plus the hard evaluation's explicit term b - p; the decoder parameters' gradient
    of sum L over the rows' hard evaluations (if asked); and t, differentiable in the network's weights (None
    without a network)."""
    rows, units = a.shape
    h, p, dconditional_da = relaxed_evaluations(a, u, v, temperature)
    hard = h[:, 0].requires_grad_()
    relaxed = h[:, 1:].reshape(rows * (EVALUATIONS - 1), units).requires_grad_()
    # The relaxed evaluations are auxiliary points: their dL/dh feeds the node, but the decoder's weights are held there.
    held_decoder = lambda rows_h: F.linear(rows_h, decoder.weight.detach(), decoder.bias.detach())  # noqa: E731
    hard_loss = negative_elbo_terms(decoder, hard, x, a)
    relaxed_loss = negative_elbo_terms(held_decoder, relaxed, x.repeat_interleave(EVALUATIONS - 1, 0), a.repeat_interleave(EVALUATIONS - 1, 0))
    dloss_dhard, dloss_drelaxed, *decoder_gradient = torch.autograd.grad(hard_loss.sum() + relaxed_loss.sum(), [hard, relaxed, *decoder_parameters])
    loss = torch.cat([hard_loss.detach().unsqueeze(1), relaxed_loss.detach().view(rows, EVALUATIONS - 1)], 1)
    dloss_dh = torch.cat([dloss_dhard.unsqueeze(1), dloss_drelaxed.view(rows, EVALUATIONS - 1, units)], 1)
    node_estimate = rebar_node_estimate(h, p, dconditional_da, loss, dloss_dh, eta, temperature)
    network_term = None if network is None else surrogate_term(network, a, u, v, p, h[:, 0], dconditional_da)
    if network_term is not None:
        node_estimate = node_estimate + network_term.detach()
    return node_estimate, node_estimate + h[:, 0] - p, decoder_gradient, network_term


class ScalarAdam:
    """Adam over named scalars, as estimators/state-adam.ts steps an estimator's state."""

    def __init__(self, rates):
        self.rates, self.moments, self.squares = rates, {name: 0.0 for name in rates}, {name: 0.0 for name in rates}

    def step(self, name, value, gradient, step):
        rate = self.rates[name]
        if rate == 0:
            return value
        self.moments[name] = 0.9 * self.moments[name] + 0.1 * gradient
        self.squares[name] = 0.999 * self.squares[name] + 0.001 * gradient * gradient
        corrected, corrected_square = self.moments[name] / (1 - 0.9 ** step), self.squares[name] / (1 - 0.999 ** step)
        return value - rate * corrected / (math.sqrt(corrected_square) + 1e-8)


def training_step(estimator, batch):
    """One training step on fresh minibatches, as a function of nothing (state in the closure), and the state's reader."""
    torch.manual_seed(0)
    encoder, decoder = torch.nn.Linear(PIXELS, LATENTS), torch.nn.Linear(LATENTS, PIXELS)
    encoder_parameters, decoder_parameters = list(encoder.parameters()), list(decoder.parameters())
    optimizer = torch.optim.Adam([*encoder_parameters, *decoder_parameters], lr=1e-3)
    grey = torch.rand(TRAINING_IMAGES, PIXELS)
    generator = torch.Generator().manual_seed(1)
    state = {'eta': INITIAL_ETA, 'temperature': INITIAL_TEMPERATURE, 'step': 0}
    state_adam = ScalarAdam({'eta': ETA_RATE, 'logTemperature': TEMPERATURE_RATE})
    network = surrogate_network(LATENTS) if estimator == 'relax' else None
    network_optimizer = torch.optim.Adam(network.parameters(), lr=SURROGATE_RATE) if network else None

    def estimate(eta, temperature, adapt_network=False):
        """One estimate: the gradient of the minibatch mean of L with respect to every parameter; with
        `adapt_network`, also the RELAX network weights' variance gradient, left in their .grad."""
        rows = torch.randint(0, TRAINING_IMAGES, (batch,), generator=generator)
        pixels = grey[rows]
        x = (torch.rand(pixels.shape, generator=generator) < pixels).float()
        a = encoder(x)
        u = torch.rand(a.shape, generator=generator)
        v = torch.rand(a.shape, generator=generator)
        node_estimate, logit_gradient, decoder_gradient, network_term = estimate_logit_gradient(
            decoder, x, a.detach(), u, v, eta, temperature, decoder_parameters, network)
        if adapt_network:
            # d/drho of the mean over rows of sum_i g_i^2 = mean over rows of sum_i 2 g_i dt_i/drho (only t depends on rho).
            network_gradient = torch.autograd.grad((2 / batch * node_estimate * network_term).sum(), list(network.parameters()))
            for weight, g in zip(network.parameters(), network_gradient):
                weight.grad = g
        encoder_gradient = torch.autograd.grad(a, encoder_parameters, logit_gradient / batch)
        return [*encoder_gradient, *(g / batch for g in decoder_gradient)]

    def second_moment_at(start, eta, temperature):
        """sum g^2 over every parameter of the estimate redrawn from generator state `start` (common random numbers)."""
        generator.set_state(start)
        return sum(torch.dot(g.view(-1), g.view(-1)).item() for g in estimate(eta, temperature))

    def step():
        eta, temperature = state['eta'], state['temperature']
        start = generator.get_state()
        gradient = estimate(eta, temperature, adapt_network=network is not None)
        after = generator.get_state()
        eta_gradient = (second_moment_at(start, eta + ETA_DELTA, temperature) - second_moment_at(start, eta - ETA_DELTA, temperature)) / (2 * ETA_DELTA)
        delta = TEMPERATURE_DELTA * temperature
        temperature_gradient = (second_moment_at(start, eta, temperature + delta) - second_moment_at(start, eta, temperature - delta)) / (2 * delta)
        generator.set_state(after)
        for parameter, g in zip([*encoder_parameters, *decoder_parameters], gradient):
            parameter.grad = g
        optimizer.step()
        state['step'] += 1
        state['eta'] = state_adam.step('eta', eta, eta_gradient, state['step'])
        state['temperature'] = math.exp(state_adam.step('logTemperature', math.log(temperature), temperature * temperature_gradient, state['step']))
        if network_optimizer:
            network_optimizer.step()

    if network:
        state['surrogateNorm'] = lambda: math.sqrt(sum(weight.detach().double().pow(2).sum().item() for weight in network.parameters()))
    return step, state


def check(samples, chunks=40):
    """The estimate's means on a small model against expectations derived here, by enumeration; 0 if all hold.

    Per case: the mean dL/da and the decoder's mean gradient within 5 standard errors of the exact gradients
    of E_q[L], and the old form (explicit term averaged over the three evaluations) missing where its bias
    is at least 10 standard errors. The decoder's standard errors come from `chunks` chunk means.
    """
    torch.manual_seed(7)
    units, pixels = 3, 5
    dtype = torch.float64
    decoder = torch.nn.Linear(units, pixels).to(dtype)
    with torch.no_grad():
        decoder.weight.mul_(3)
    decoder_parameters = list(decoder.parameters())
    x = torch.tensor([[1.0, 0.0, 1.0, 1.0, 0.0]], dtype=dtype)
    logits = torch.tensor([0.4, -1.1, 1.7], dtype=dtype)
    p = torch.sigmoid(logits)
    # The exact gradients of E_q[L(b; a)] = sum_b q(b | a) L(b; a) by enumerating the 8 latent states.
    states = torch.tensor([[(index >> unit) & 1 for unit in range(units)] for index in range(2 ** units)], dtype=dtype)
    state_loss = negative_elbo_terms(decoder, states, x.expand(len(states), -1), logits.expand(len(states), -1))
    probability = torch.where(states > 0, p, 1 - p).prod(1, keepdim=True)
    # In a: dq(b)/da_i = q(b) (b_i - p_i), and L's own dependence on a has mean zero under q (the explicit term's).
    exact = (probability * (states - p) * state_loss.detach().unsqueeze(1)).sum(0)
    # In the decoder's weights: sum_b q(b) dL(b)/dtheta.
    exact_decoder = torch.cat([g.reshape(-1) for g in torch.autograd.grad((probability.squeeze(1) * state_loss).sum(), decoder_parameters)])
    grid = (torch.arange(200000, dtype=dtype) + 0.5) / 200000
    failures = 0
    # RELAX's network term has mean zero for any weights: a random network of sizeable weights must not move the mean.
    network = surrogate_network(units, torch.Generator().manual_seed(3), scale=1.0, dtype=dtype)
    cases = [('rebar', 1.0, 0.5), ('rebar', 0.6, 0.25), ('rebar', 1.8, 1.3), ('rebar', 0.0, 0.5), ('relax', 1.0, 0.5), ('relax', 0.0, 0.3)]
    for estimator, eta, temperature in cases:
        generator = torch.Generator().manual_seed(11)
        a = logits.expand(samples, -1)
        u = torch.rand(a.shape, generator=generator, dtype=dtype)
        v = torch.rand(a.shape, generator=generator, dtype=dtype)
        estimates, old_estimates, decoder_sums = [], [], []
        for rows in torch.arange(samples).chunk(chunks):
            node_estimate, estimate, decoder_gradient, _ = estimate_logit_gradient(
                decoder, x.expand(len(rows), -1), a[rows], u[rows], v[rows], eta, temperature, decoder_parameters, network if estimator == 'relax' else None)
            # The old form: the explicit term h - p averaged over the three evaluations (h recomputed from the same a, u, v).
            h, chunk_p, _ = relaxed_evaluations(a[rows], u[rows], v[rows], temperature)
            estimates.append(estimate.detach())
            old_estimates.append(node_estimate.detach() + (h - chunk_p.unsqueeze(1)).mean(1))
            decoder_sums.append(torch.cat([g.reshape(-1) for g in decoder_gradient]) / len(rows))
        estimates, old_estimates, decoder_means = torch.cat(estimates), torch.cat(old_estimates), torch.stack(decoder_sums)
        z = (estimates.mean(0) - exact) / (estimates.std(0) / math.sqrt(samples))
        decoder_z = (decoder_means.mean(0) - exact_decoder) / (decoder_means.std(0) / math.sqrt(len(decoder_means)))
        old_standard_error = old_estimates.std(0) / math.sqrt(samples)
        old_z = (old_estimates.mean(0) - exact) / old_standard_error
        # The old form's bias: b's mean is p and zc has z's law, so 2/3 (E s(z/lam) - p), by quadrature over u.
        old_bias = 2 / 3 * (torch.sigmoid((logits.unsqueeze(1) + torch.log((1 - grid) / grid)) / temperature).mean(1) - p)
        old_must_miss = bool((old_bias.abs() >= 10 * old_standard_error).any())
        old_missed = bool((old_z.abs() >= 5).any())
        ok = bool((z.abs() < 5).all()) and bool((decoder_z.abs() < 5).all()) and (old_missed or not old_must_miss)
        failures += not ok
        print(f"{estimator} eta {eta} lam {temperature}: mean dL/da {[round(m, 4) for m in estimates.mean(0).tolist()]} exact "
              f"{[round(m, 4) for m in exact.tolist()]} z {[round(m, 2) for m in z.tolist()]}; decoder max |z| {decoder_z.abs().max().item():.2f}; "
              f"old averaged form z {[round(m, 1) for m in old_z.tolist()]} ({'missed' if old_missed else 'not missed'}"
              f"{', must miss' if old_must_miss else ''}) {'ok' if ok else 'MISS'}")
    return 1 if failures else 0


def main(arguments):
    mode, numbers = arguments
    if mode == '--check':
        return check(*(numbers or [400000]))
    batch, steps, threads = numbers + [50, 200, os.cpu_count() or 1][len(numbers):]
    torch.set_num_threads(threads)
    print_config(torch_config(torch))
    step, state = training_step(mode, batch)
    timing = time_training_steps(step, steps)
    print_result({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'compiled': False, 'estimator': mode, 'batch': batch,
                  'steps': steps, **timing, 'eta': state['eta'], 'temperature': state['temperature'],
                  **({'surrogateNorm': state['surrogateNorm']()} if 'surrogateNorm' in state else {})})
    return 0


if __name__ == '__main__':
    sys.exit(main(ARGUMENTS))
