import { evaluationCount, type EstimatorDefinition } from '../core/estimator.js';
import { withDefaults, type ParameterValues } from '../core/parameters.js';
import type { HardNodeForward, HardOp } from '../core/suite.js';
import type { LayerSpec } from './layer.js';

/**
 * Why an estimator cannot sit at the hard nodes of a network trained by backpropagation, or null. A
 * node inside a network sees only dL/dh from the layers above it: an estimator that needs the
 * objective's value per node (score-function estimators, several evaluations per estimate) would need
 * the whole network re-run per node and per evaluation, which these networks do not do.
 */
export function networkNodeUnsupportedReason(estimator: EstimatorDefinition, estimatorParams: ParameterValues = {}): string | null {
  if (estimator.needs.objective) return `${estimator.id} needs objective values at each hard node, which a network trained by backpropagation does not give (only dL/dh reaches a node)`;
  if (!estimator.needs.objectiveGradient) return `${estimator.id} reads no dL/dh, so backpropagation through the network cannot reach it`;
  if (evaluationCount(estimator, withDefaults(estimator.params, estimatorParams)) !== 1) return `${estimator.id} evaluates the objective several times per estimate; a network node evaluates it once`;
  return null;
}

/**
 * A hard node of `width` units as a layer: forward is the estimator's forward pass (or, on a
 * deterministic node, the suite's `op`), backward is the estimator's rule with dL/dh from the layers
 * above (a straight-through proxy derivative). The node runs on the cell's backend.
 */
export function hardLayer(width: number, op?: HardOp): LayerSpec {
  return {
    description: `hard ${op?.id ?? 'node'} ${width}`,
    inputWidth: width,
    outputWidth: width,
    parameterCount: 0,
    initialise() {},
    compile(context) {
      const node = context.hardNode(width, op ? { op } : {});
      if (node.evaluations !== 1) throw new Error(`a hard node inside a network evaluates the objective once per estimate, ${context.estimator.id} needs ${node.evaluations}`);
      return {
        async forward(input, rows, _params, rng, step) {
          const pass = await node.forward(Float64Array.from(input), rows, rng, step);
          return { output: Float32Array.from(pass.h), saved: pass };
        },
        async backward({ pass, outputGradient, wantInputGradient, step }) {
          if (!wantInputGradient) return null;
          const logitGradient = await node.backward(pass.saved as HardNodeForward, null, Float64Array.from(outputGradient), null, step);
          return Float32Array.from(logitGradient);
        },
      };
    },
  };
}
