import { activation } from '../../models/activation.js';
import { dense } from '../../models/dense.js';
import type { Layer, LayerPass } from '../../models/layer.js';
import { SequentialNetwork } from '../../models/network.js';
import { Rng } from '../../core/rng.js';
import type { StagedContext, TensorOps } from '../../core/suite.js';

/** Hidden-unit nonlinearities of the VAEs' MLPs (ids of the model layer's activations). */
export type HiddenActivation = 'tanh' | 'relu';

/** One forward pass over a batch, kept for the backward pass. */
export interface MlpPass {
  readonly rows: number;
  /** Input of every layer (dense and activation layers alike). */
  readonly layerInputs: readonly Float32Array[];
  readonly passes: readonly LayerPass[];
  /** The last dense layer's output (linear), [rows × outputWidth]. */
  readonly output: Float32Array;
}

/**
 * A multilayer perceptron from the model layer's dense and activation layers: dense layers with
 * `hidden` activations between them and a linear output, run on whatever tensor operations it is
 * given (a cell's backend, or the host's for the VAEs' fixed point). Parameters are the network's one
 * flat vector (each dense layer's W [inputs × outputs] row-major, then its bias), initialised as
 * PyTorch's nn.Linear. Dense and activation layers draw no noise: the `Rng` they are handed is unused.
 */
export class Mlp {
  readonly network: SequentialNetwork;
  private readonly unusedRng = new Rng(0);

  constructor(readonly widths: readonly number[], readonly hidden: HiddenActivation) {
    const layers = widths.slice(1).flatMap((outputs, index) => {
      const layer = dense(widths[index], outputs);
      return index === widths.length - 2 ? [layer] : [layer, activation(hidden, outputs)];
    });
    this.network = new SequentialNetwork(layers);
  }

  get parameterCount(): number {
    return this.network.parameterCount;
  }

  /** Draws initial parameters into `params` (length `parameterCount`), layer by layer. */
  initialise(params: Float64Array, rng: Rng): void {
    params.set(this.network.initialParameters(rng));
  }

  /** The first dense layer's weights W [inputs × outputs] (row-major) within the flat parameters. */
  firstWeights(params: Float32Array): Float32Array {
    return params.subarray(0, this.widths[0] * this.widths[1]);
  }

  private compile(ops: TensorOps): Layer[] {
    // Dense and activation layers use the tensor operations only.
    const context = { ops } as StagedContext;
    return this.network.layers.map((layer) => layer.compile(context));
  }

  /**
   * The network's output for `rows` rows of `input`. `firstProduct`, when given, is input·W of the first
   * dense layer, computed by the caller (for rows that differ from a computed one in a few inputs);
   * that matrix product is then skipped and only the bias is added.
   */
  async forward(ops: TensorOps, params: Float32Array, input: Float32Array, rows: number, firstProduct?: Float32Array): Promise<MlpPass> {
    const layers = this.compile(ops);
    const layerInputs: Float32Array[] = [];
    const passes: LayerPass[] = [];
    let current = input;
    for (const [index, layer] of layers.entries()) {
      layerInputs.push(current);
      const layerParams = this.network.slice(params, index);
      let pass: LayerPass;
      if (index === 0 && firstProduct) {
        const outputs = this.widths[1];
        const bias = layerParams.subarray(this.widths[0] * outputs);
        for (let entry = 0; entry < firstProduct.length; entry++) firstProduct[entry] += bias[entry % outputs];
        pass = { output: firstProduct, saved: null };
      } else {
        pass = await layer.forward(current, rows, layerParams, this.unusedRng, 0);
      }
      passes.push(pass);
      current = pass.output;
    }
    return { rows, layerInputs, passes, output: current };
  }

  /**
   * Backpropagates dL/doutput: fills `parameterGradient` (when given; same layout as the parameters)
   * and returns dL/dinput when `wantInputGradient` (else null). Exact.
   */
  async backward(
    ops: TensorOps, params: Float32Array, pass: MlpPass, outputGradient: Float32Array,
    parameterGradient: Float32Array | null, wantInputGradient: boolean,
  ): Promise<Float32Array | null> {
    const layers = this.compile(ops);
    let current: Float32Array | null = outputGradient;
    for (let index = layers.length - 1; index >= 0 && current; index--) {
      current = await layers[index].backward({
        input: pass.layerInputs[index],
        pass: pass.passes[index],
        outputGradient: current,
        rows: pass.rows,
        params: this.network.slice(params, index),
        // Without a parameter gradient wanted, the dense layers skip its products (dL/dW = xᵀ·dy).
        parameterGradient: parameterGradient ? this.network.slice(parameterGradient, index) : null,
        wantInputGradient: index > 0 || wantInputGradient,
        step: 0,
      });
    }
    return wantInputGradient ? current : null;
  }
}

/** The rows [start, start + count) of a pass: one estimate's share of a batch of estimates. */
export function passRows(pass: MlpPass, start: number, count: number): MlpPass {
  const slice = (values: Float32Array) => {
    const width = values.length / pass.rows;
    return values.subarray(start * width, (start + count) * width);
  };
  return {
    rows: count,
    layerInputs: pass.layerInputs.map(slice),
    passes: pass.passes.map((layerPass) => ({ output: slice(layerPass.output), saved: layerPass.saved })),
    output: slice(pass.output),
  };
}

/** The rows `rows` of a pass (indices into it), gathered into a pass of their own: the draws of an estimate without its auxiliary points. */
export function passRowsAt(pass: MlpPass, rows: readonly number[]): MlpPass {
  // A layer's output is the next layer's input (and the last one the pass's output): each is gathered once.
  const gathered = new Map<Float32Array, Float32Array>();
  const gather = (values: Float32Array) => {
    let out = gathered.get(values);
    if (out) return out;
    const width = values.length / pass.rows;
    out = new Float32Array(rows.length * width);
    for (const [index, row] of rows.entries()) out.set(values.subarray(row * width, (row + 1) * width), index * width);
    gathered.set(values, out);
    return out;
  };
  return {
    rows: rows.length,
    layerInputs: pass.layerInputs.map(gather),
    passes: pass.passes.map((layerPass) => ({ output: gather(layerPass.output), saved: layerPass.saved })),
    output: gather(pass.output),
  };
}
