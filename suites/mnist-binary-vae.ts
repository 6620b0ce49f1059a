import { bernoulliLatents } from './vae/latent-family.js';
import { vaeModel } from './vae/vae-model.js';
import { defineVaeSuite, vaeCommonParams, vaeObjectiveParam } from './vae/vae-suite.js';

/**
 * The binary VAE of the REBAR, RELAX, ARM and DisARM papers on dynamically binarised MNIST: Bernoulli
 * latents with a Bernoulli(½) prior, Bernoulli pixels; `layers` 1 is linear (784 → latents → 784),
 * `layers` 2 has two tanh hidden layers on each side (784 → 200 → 200 → latents, mirrored). Loss: the
 * minibatch mean of −ELBO, with the single-sample term L(b; a) = −log p(x | b) − log p(b) + log q(b | a)
 * for the estimator; or, with objective=iwae, the minibatch mean of the negative k-sample importance-weighted
 * bound over the estimator's k independent samples (vimco, reinforce-loo).
 */
export const mnistBinaryVae = defineVaeSuite({
  id: 'mnist-binary-vae',
  title: 'Binary VAE on MNIST (REBAR / ARM / DisARM benchmark)',
  description: 'Bernoulli latents, Bernoulli(1/2) prior, Bernoulli decoder on dynamically binarised MNIST; linear (layers=1) or two tanh hidden layers (layers=2); -ELBO; gradient scores w.r.t. the encoder logits at a warm-up point against a Monte Carlo reference',
  nodeKind: 'bernoulli',
  params: {
    layers: { description: '1: linear encoder and decoder; 2: two tanh hidden layers of `hidden` units each side', default: 1, minimum: 1, maximum: 2, integer: true },
    latents: { description: 'Bernoulli latent units', default: 200, minimum: 1, maximum: 4096, integer: true },
    hidden: { description: 'units of each tanh hidden layer when layers = 2', default: 200, minimum: 1, maximum: 4096, integer: true },
    ...vaeCommonParams(50, 2000),
    ...vaeObjectiveParam,
  },
  model: (params) => vaeModel(bernoulliLatents(params.latents), params.layers === 2 ? [params.hidden, params.hidden] : [], 'tanh'),
});
