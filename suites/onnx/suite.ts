import { defineSuite } from '../../core/suite.js';
import { logitSpecHelp, logitSpecProblem } from './initial-logits.js';
import { createOnnxProblem } from './problem.js';
import { onnxProviders } from './provider.js';

const nodeChoices = ['auto', 'bernoulli', 'categorical'];

function oneOf(choices: readonly string[]) {
  return (value: string) => (choices.includes(value) ? null : `must be one of ${choices.join(', ')}, got '${value}'`);
}

/**
 * Bring your own objective: the user's ONNX model is the objective L(h) behind one hard node, run by
 * onnxruntime-node. Convention: input `h` [batch, D] float32 (Bernoulli units; [batch, D, K] for
 * categorical ones), output `loss` [batch], optional output `grad` (dL/dh, the shape of h) for the
 * estimators that need it. See docs/suites/onnx.md.
 */
export const onnxSuite = defineSuite({
  id: 'onnx',
  title: 'ONNX objective: the user\'s model as L(h)',
  description: 'D Bernoulli units (or D categorical units of K classes) feeding a user\'s ONNX model (input h [batch, D] or [batch, D, K], output loss [batch], optional grad); exact gradient by enumeration when 2^D (K^D) <= maxStates, else Monte Carlo',
  nodeKind: 'bernoulli',
  // Needs a model file: runs only when named (--suite onnx --set onnx.model=...).
  inDefaultRun: false,
  referenceKinds: ['enumeration', 'monte-carlo'],
  params: {
    model: { type: 'string', description: 'path to the .onnx model (input h [batch, D] float32, output loss [batch], optional output grad)', default: '' },
    node: { type: 'string', description: `node kind: ${nodeChoices.join(', ')} (auto: from the rank of h)`, default: 'auto', check: oneOf(nodeChoices) },
    logit: { type: 'string', description: `starting logits: ${logitSpecHelp}`, default: 'linspace', check: logitSpecProblem },
    provider: { type: 'string', description: `onnxruntime execution provider: ${onnxProviders.join(', ')} (falls back to cpu, recorded in the cell)`, default: 'cpu', check: oneOf(onnxProviders) },
    maxStates: { description: 'enumerate all 2^D (K^D) states for the exact gradient and loss when there are at most maxStates; else Monte Carlo', default: 1 << 16, minimum: 1, maximum: 1 << 24, integer: true },
    referenceSamples: { description: 'samples of the Monte Carlo reference gradient (each runs the model on 1 + D (K - 1) rows, D + 1 for Bernoulli units)', default: 4096, minimum: 2, maximum: 1e8, integer: true },
    lossSamples: { description: 'samples of the Monte Carlo training loss (same draws at every step)', default: 4096, minimum: 1, maximum: 1e8, integer: true },
  },
  create(params) {
    return createOnnxProblem({
      model: String(params.model),
      node: String(params.node),
      logit: String(params.logit),
      provider: String(params.provider),
      maxStates: Number(params.maxStates),
      referenceSamples: Number(params.referenceSamples),
      lossSamples: Number(params.lossSamples),
    });
  },
});
