import type { Rng } from '../core/rng.js';
import type { LayerSpec } from './layer.js';

/** Sum over rows of a [rows × width] array: the bias gradient. */
export function columnSums(values: Float32Array, rows: number, width: number, out: Float32Array): void {
  out.fill(0);
  for (let row = 0; row < rows; row++) {
    const base = row * width;
    for (let column = 0; column < width; column++) out[column] += values[base + column];
  }
}

/**
 * A fully connected layer y = x·W + b. Parameters: W [inputs × outputs] row-major, then b [outputs].
 * Initialised as PyTorch's nn.Linear (W and b uniform in ±1/√inputs), so that the networks start
 * where their PyTorch peers start.
 */
export function dense(inputs: number, outputs: number): LayerSpec {
  const weightCount = inputs * outputs;
  return {
    description: `dense ${inputs}→${outputs}`,
    inputWidth: inputs,
    outputWidth: outputs,
    parameterCount: weightCount + outputs,
    initialise(params: Float64Array, rng: Rng) {
      const bound = 1 / Math.sqrt(inputs);
      for (let index = 0; index < params.length; index++) params[index] = (2 * rng.nextUniform() - 1) * bound;
    },
    compile({ ops }) {
      return {
        async forward(input, rows, params) {
          const output = await ops.matmul(input, params.subarray(0, weightCount), rows, inputs, outputs);
          const bias = params.subarray(weightCount);
          for (let row = 0; row < rows; row++) {
            const base = row * outputs;
            for (let column = 0; column < outputs; column++) output[base + column] += bias[column];
          }
          return { output, saved: null };
        },
        async backward({ input, outputGradient, rows, params, parameterGradient, wantInputGradient }) {
          // dW = xᵀ·dy [inputs × outputs], db = Σ_rows dy, dx = dy·Wᵀ [rows × inputs].
          if (parameterGradient) {
            parameterGradient.set(await ops.matmul(input, outputGradient, inputs, rows, outputs, { transposeA: true }));
            columnSums(outputGradient, rows, outputs, parameterGradient.subarray(weightCount));
          }
          if (!wantInputGradient) return null;
          return ops.matmul(outputGradient, params.subarray(0, weightCount), rows, outputs, inputs, { transposeB: true });
        },
      };
    },
  };
}
