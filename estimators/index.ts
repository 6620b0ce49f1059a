import type { EstimatorDefinition } from './estimator.js';
import { additiveNoise } from './additive-noise.js';
import { bengioUnbiased } from './bengio-unbiased.js';
import { gumbelSoftmax } from './gumbel-softmax.js';
import { steIdentity } from './ste-identity.js';
import { steSigmoid } from './ste-sigmoid.js';

export type { EstimatorDefinition } from './estimator.js';

/** Built-in estimators keyed by id, in the order reports list them. */
export const builtInEstimators: ReadonlyMap<string, EstimatorDefinition> = new Map(
  [steIdentity, steSigmoid, bengioUnbiased, additiveNoise, gumbelSoftmax].map((estimator) => [estimator.id, estimator]),
);
