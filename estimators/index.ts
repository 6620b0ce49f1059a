import type { EstimatorDefinition } from '../core/estimator.js';
import { additiveNoise } from './additive-noise.js';
import { arm } from './arm.js';
import { bengioUnbiased } from './bengio-unbiased.js';
import { decoupledStGumbelSoftmax } from './decoupled-st-gumbel-softmax.js';
import { disarm } from './disarm.js';
import { drGrpo } from './dr-grpo.js';
import { gappedSt } from './gapped-st.js';
import { grpo } from './grpo.js';
import { gumbelRao } from './gumbel-rao.js';
import { gumbelSoftmax } from './gumbel-softmax.js';
import { hardSigmoidSt } from './hard-sigmoid-st.js';
import { multiplicativeNoise } from './multiplicative-noise.js';
import { muprop } from './muprop.js';
import { rebar } from './rebar.js';
import { relax } from './relax.js';
import { reinforceLoo } from './reinforce-loo.js';
import { nvil } from './nvil.js';
import { reinmax } from './reinmax.js';
import { slopeAnnealedSigmoidSt } from './slope-annealed-sigmoid-st.js';
import { slopeAnnealedSt } from './slope-annealed-st.js';
import { stGumbelSoftmax } from './st-gumbel-softmax.js';
import { steClippedRelu } from './ste-clipped-relu.js';
import { steHardtanh } from './ste-hardtanh.js';
import { steIdentity } from './ste-identity.js';
import { steRelu } from './ste-relu.js';
import { steSigmoid } from './ste-sigmoid.js';
import { stochasticTimesSmooth } from './stochastic-times-smooth.js';
import { vimco } from './vimco.js';
import { vqGumbel } from './vq-gumbel.js';
import { vqRotation } from './vq-rotation.js';
import { vqSte } from './vq-ste.js';
import { zgr } from './zgr.js';

export type { EstimatorDefinition } from '../core/estimator.js';

/** Built-in estimators keyed by id, in the order reports list them. */
export const builtInEstimators: ReadonlyMap<string, EstimatorDefinition> = new Map(
  [
    steIdentity, steSigmoid, steRelu, steClippedRelu, steHardtanh, hardSigmoidSt, slopeAnnealedSt, slopeAnnealedSigmoidSt, stochasticTimesSmooth,
    bengioUnbiased, reinforceLoo, grpo, drGrpo, arm, disarm, muprop, vimco, rebar, relax, nvil,
    additiveNoise, multiplicativeNoise, gumbelSoftmax,
    stGumbelSoftmax, decoupledStGumbelSoftmax, reinmax, gumbelRao, zgr, gappedSt,
    vqSte, vqRotation, vqGumbel,
  ].map((estimator) => [estimator.id, estimator]),
);
