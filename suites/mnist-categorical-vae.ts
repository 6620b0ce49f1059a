import { categoricalLatents } from './vae/latent-family.js';
import { vaeModel } from './vae/vae-model.js';
import { defineVaeSuite, vaeCommonParams, vaeObjectiveParam } from './vae/vae-suite.js';

/**
 * The categorical VAE of Jang, Gu & Poole (2016) on dynamically binarised MNIST: `latents` categorical
 * units of `classes` classes (20 × 10), a uniform prior, Bernoulli pixels, and their MLPs: encoder
 * 784 → 512 → 256 → latents·classes, decoder latents·classes → 256 → 512 → 784, ReLU hidden units
 * (`hiddenOuter` 512 and `hiddenInner` 256 by default; smaller ones make quick tests).
 * Loss: the minibatch mean of −ELBO, with the single-sample term L(h; a) = −log p(x | h) − log p(h) +
 * log q(h | a) for the estimator (their code uses the closed-form KL instead; the single-sample term
 * keeps every estimator on the same objective as the binary VAE); or, with objective=iwae, the minibatch
 * mean of the negative k-sample importance-weighted bound over the estimator's k independent samples
 * (vimco, reinforce-loo), as on mnist-binary-vae.
 */
export const mnistCategoricalVae = defineVaeSuite({
  id: 'mnist-categorical-vae',
  title: 'Categorical VAE on MNIST (Jang et al. 2016)',
  description: 'latents x classes categorical units (20 x 10), uniform prior, Bernoulli decoder on dynamically binarised MNIST, MLPs 784-512-256 and mirrored (ReLU); -ELBO; gradient scores w.r.t. the encoder logits at a warm-up point against a Monte Carlo reference',
  nodeKind: 'categorical',
  params: {
    latents: { description: 'categorical latent units', default: 20, minimum: 1, maximum: 1024, integer: true },
    classes: { description: 'classes per latent unit', default: 10, minimum: 2, maximum: 256, integer: true },
    hiddenOuter: { description: 'ReLU units of the hidden layer next to the pixels (encoder and decoder)', default: 512, minimum: 1, maximum: 4096, integer: true },
    hiddenInner: { description: 'ReLU units of the hidden layer next to the latent code (encoder and decoder)', default: 256, minimum: 1, maximum: 4096, integer: true },
    ...vaeCommonParams(100, 2000),
    ...vaeObjectiveParam,
  },
  model: (params) => vaeModel(categoricalLatents(params.latents, params.classes), [params.hiddenOuter, params.hiddenInner], 'relu'),
});
