import type { SuiteDefinition } from '../core/suite.js';
import { bernoulliQuadratic } from './bernoulli-quadratic.js';
import { bernoulliToy } from './bernoulli-toy.js';
import { categoricalToy } from './categorical-toy.js';
import { mnistBinaryVae } from './mnist-binary-vae.js';
import { mnistCategoricalVae } from './mnist-categorical-vae.js';
import { mnistQuantizedMlp } from './mnist-quantized-mlp.js';
import { mnistStochasticMlp } from './mnist-stochastic-mlp.js';
import { mnistVqAutoencoder } from './mnist-vq-autoencoder.js';
import { onnxSuite } from './onnx/suite.js';
import { sequenceReward } from './sequence-reward.js';
import { teacherStudent } from './teacher-student.js';

export type { SuiteDefinition, Problem } from '../core/suite.js';

/** Built-in suites keyed by id. */
export const builtInSuites: ReadonlyMap<string, SuiteDefinition> = new Map(
  [bernoulliToy, bernoulliQuadratic, categoricalToy, onnxSuite, teacherStudent, mnistQuantizedMlp, mnistStochasticMlp, mnistBinaryVae, mnistCategoricalVae, mnistVqAutoencoder, sequenceReward].map((suite) => [suite.id, suite]),
);
