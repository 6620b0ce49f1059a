import type { Rng } from '../../harness/rng.js';
import type { TensorOps } from '../suite.js';

/** Hidden-unit nonlinearities of the VAEs' MLPs: value, and derivative from the output y. */
const hiddenActivations = {
  tanh: { value: Math.tanh, derivativeFromOutput: (y: number) => 1 - y * y },
  relu: { value: (x: number) => (x > 0 ? x : 0), derivativeFromOutput: (y: number) => (y > 0 ? 1 : 0) },
} as const;

export type HiddenActivation = keyof typeof hiddenActivations;

/** One forward pass over a batch, kept for the backward pass. */
export interface MlpPass {
  readonly rows: number;
  /** Input of every dense layer (after the previous layer's activation). */
  readonly layerInputs: readonly Float32Array[];
  /** The last dense layer's output (linear), [rows × outputWidth]. */
  readonly output: Float32Array;
}

/**
 * A multilayer perceptron of dense layers with `hidden` activations between them and a linear output,
 * on a backend's tensor operations: the VAEs' encoders and decoders. Parameters are one flat vector,
 * each layer's W [inputs × outputs] row-major then its bias, initialised as PyTorch's nn.Linear
 * (uniform in ±1/√inputs) so that the networks start where the PyTorch peer's start.
 */
export class Mlp {
  readonly parameterCount: number;
  private readonly offsets: number[] = [];

  constructor(readonly widths: readonly number[], readonly hidden: HiddenActivation) {
    let total = 0;
    for (let layer = 0; layer + 1 < widths.length; layer++) {
      this.offsets.push(total);
      total += widths[layer] * widths[layer + 1] + widths[layer + 1];
    }
    this.parameterCount = total;
  }

  get inputWidth(): number {
    return this.widths[0];
  }

  get outputWidth(): number {
    return this.widths[this.widths.length - 1];
  }

  /** Draws initial parameters into `params` (length `parameterCount`), layer by layer. */
  initialise(params: Float64Array, rng: Rng): void {
    for (let layer = 0; layer < this.offsets.length; layer++) {
      const bound = 1 / Math.sqrt(this.widths[layer]);
      const end = this.offsets[layer] + this.widths[layer] * this.widths[layer + 1] + this.widths[layer + 1];
      for (let index = this.offsets[layer]; index < end; index++) params[index] = (2 * rng.nextUniform() - 1) * bound;
    }
  }

  /** Layer `layer`'s weights W [inputs × outputs] (row-major) within the flat parameters. */
  weights(params: Float32Array, layer: number): Float32Array {
    return params.subarray(this.offsets[layer], this.offsets[layer] + this.widths[layer] * this.widths[layer + 1]);
  }

  private bias(params: Float32Array, layer: number): Float32Array {
    const start = this.offsets[layer] + this.widths[layer] * this.widths[layer + 1];
    return params.subarray(start, start + this.widths[layer + 1]);
  }

  /**
   * The network's output for `rows` rows of `input`. `firstProduct`, when given, is input·W of the first
   * layer, computed by the caller (for example by updating one product for rows that differ from it
   * in a few inputs); the first matrix product is then skipped.
   */
  async forward(ops: TensorOps, params: Float32Array, input: Float32Array, rows: number, firstProduct?: Float32Array): Promise<MlpPass> {
    const layerInputs: Float32Array[] = [];
    let current = input;
    const activation = hiddenActivations[this.hidden];
    for (let layer = 0; layer < this.offsets.length; layer++) {
      layerInputs.push(current);
      const inputs = this.widths[layer];
      const outputs = this.widths[layer + 1];
      const output = layer === 0 && firstProduct ? firstProduct : await ops.matmul(current, this.weights(params, layer), rows, inputs, outputs);
      const bias = this.bias(params, layer);
      const last = layer === this.offsets.length - 1;
      for (let row = 0; row < rows; row++) {
        const base = row * outputs;
        for (let column = 0; column < outputs; column++) {
          const value = output[base + column] + bias[column];
          output[base + column] = last ? value : activation.value(value);
        }
      }
      current = output;
    }
    return { rows, layerInputs, output: current };
  }

  /**
   * Backpropagates dL/doutput: fills `parameterGradient` (when given; same layout as the parameters)
   * and returns dL/dinput when `wantInputGradient` (else null). Exact.
   */
  async backward(
    ops: TensorOps, params: Float32Array, pass: MlpPass, outputGradient: Float32Array,
    parameterGradient: Float32Array | null, wantInputGradient: boolean,
  ): Promise<Float32Array | null> {
    const activation = hiddenActivations[this.hidden];
    const { rows } = pass;
    let delta = outputGradient;
    for (let layer = this.offsets.length - 1; layer >= 0; layer--) {
      const inputs = this.widths[layer];
      const outputs = this.widths[layer + 1];
      const input = pass.layerInputs[layer];
      if (parameterGradient) {
        // dW = xᵀ·δ [inputs × outputs], db = Σ_rows δ.
        parameterGradient.set(await ops.matmul(input, delta, inputs, rows, outputs, { transposeA: true }), this.offsets[layer]);
        const biasGradient = parameterGradient.subarray(this.offsets[layer] + inputs * outputs, this.offsets[layer] + inputs * outputs + outputs);
        biasGradient.fill(0);
        for (let row = 0; row < rows; row++) {
          const base = row * outputs;
          for (let column = 0; column < outputs; column++) biasGradient[column] += delta[base + column];
        }
      }
      if (layer === 0 && !wantInputGradient) return null;
      // dx = δ·Wᵀ [rows × inputs], then through the previous layer's activation (inputs are its outputs).
      const inputGradient = await ops.matmul(delta, this.weights(params, layer), rows, outputs, inputs, { transposeB: true });
      if (layer > 0) {
        for (let index = 0; index < inputGradient.length; index++) inputGradient[index] *= activation.derivativeFromOutput(input[index]);
      }
      delta = inputGradient;
    }
    return delta;
  }
}
