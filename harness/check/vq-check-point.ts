import { Rng } from '../../core/rng.js';
import type { StagedProblem } from '../../core/suite.js';
import { vectorQuantizerLayer } from '../../models/vector-quantizer.js';

/** Two latent vectors of d = 3 and a codebook of K = 4 codes, fixed numbers chosen so that each vector has a clear nearest code. */
const latents = [0.9, 0.2, -0.5, -0.3, 0.8, 0.4];
const codebook = [1, 0, -0.4, 0, 1, 0.5, -1, 0, 0, 0.2, -0.9, 0.3];
const shape = { vectors: 2, width: 3, codes: 4 };
/** Target of the loss Σ (h − target)². */
const target = 0.25;

/**
 * A vector-quantized node alone, run as stages: the trained parameters are the latents z_e (6 numbers)
 * then the codebook (12), and the loss is Σ (h − t)² over the node's output. The nearest-code lookup is
 * piecewise constant, so there is no exact gradient to check a mean against (no reference).
 */
export function vectorQuantizedCheckProblem(): StagedProblem {
  const layerSpec = vectorQuantizerLayer(shape);
  const latentCount = shape.vectors * shape.width;
  return {
    kind: 'staged',
    nodeKind: 'vector-quantized',
    initialParameters: Float64Array.from([...latents, ...codebook]),
    prepare(context) {
      const layer = layerSpec.compile(context);
      const nearest = vectorQuantizerLayer(shape, 'nearest').compile(context);
      return {
        async estimates(params, count, rng, step) {
          const out = new Float64Array(count * params.length);
          const input = Float32Array.from(params.subarray(0, latentCount));
          const book = Float32Array.from(params.subarray(latentCount));
          for (let estimate = 0; estimate < count; estimate++) {
            const pass = await layer.forward(input, 1, book, rng, step);
            const outputGradient = pass.output.map((h) => 2 * (h - target));
            const parameterGradient = new Float32Array(book.length);
            const latentGradient = await layer.backward({ input, pass, outputGradient, rows: 1, params: book, parameterGradient, wantInputGradient: true, step });
            out.set(latentGradient!, estimate * params.length);
            out.set(parameterGradient, estimate * params.length + latentCount);
          }
          return out;
        },
        referenceGradient: async () => null,
        async evaluate(params) {
          const pass = await nearest.forward(Float32Array.from(params.subarray(0, latentCount)), 1, Float32Array.from(params.subarray(latentCount)), new Rng(0), 0);
          return { loss: pass.output.reduce((total, h) => total + (h - target) ** 2, 0) };
        },
        dispose() {},
      };
    },
  };
}
