import type { Rng } from '../core/rng.js';
import type { StagedContext } from '../core/suite.js';
import type { Layer, LayerPass, LayerSpec } from './layer.js';

/** One forward pass of a network over a batch, kept for its backward pass. */
export interface NetworkPass {
  readonly rows: number;
  /** Input of every layer (layer i's input is layer i−1's output). */
  readonly inputs: readonly Float32Array[];
  readonly passes: readonly LayerPass[];
  /** The last layer's output [rows × outputWidth]. */
  readonly output: Float32Array;
}

/** A network compiled for one cell: forward and backward over batches on the cell's backend. */
export interface CompiledNetwork {
  /** The network's output for `rows` rows of `input`; `params` is the flat float32 parameter vector. */
  forward(params: Float32Array, input: Float32Array, rows: number, rng: Rng, step: number): Promise<NetworkPass>;
  /** dL/dparams (flat, float32) from dL/doutput of the pass, written into `into` when given (else a fresh array). */
  backward(params: Float32Array, pass: NetworkPass, outputGradient: Float32Array, step: number, into?: Float32Array): Promise<Float32Array>;
}

/**
 * A chain of layers with one flat parameter vector: each layer owns a contiguous slice, in layer
 * order (a dense layer: its weights, then its bias).
 */
export class SequentialNetwork {
  readonly parameterCount: number;
  /** Start of each layer's slice in the flat parameter vector. */
  readonly offsets: readonly number[];

  constructor(readonly layers: readonly LayerSpec[]) {
    if (layers.length === 0) throw new Error('a network needs at least one layer');
    const offsets: number[] = [];
    let total = 0;
    layers.forEach((layer, index) => {
      if (index > 0 && layers[index - 1].outputWidth !== layer.inputWidth) {
        throw new Error(`layer ${index} (${layer.description}) takes ${layer.inputWidth} inputs, but layer ${index - 1} (${layers[index - 1].description}) gives ${layers[index - 1].outputWidth}`);
      }
      offsets.push(total);
      total += layer.parameterCount;
    });
    this.offsets = offsets;
    this.parameterCount = total;
  }

  get inputWidth(): number {
    return this.layers[0].inputWidth;
  }

  get outputWidth(): number {
    return this.layers[this.layers.length - 1].outputWidth;
  }

  /** Initial parameters, each layer's drawn from `rng` in layer order. */
  initialParameters(rng: Rng): Float64Array {
    const params = new Float64Array(this.parameterCount);
    this.layers.forEach((layer, index) => layer.initialise(this.slice(params, index), rng));
    return params;
  }

  /** Layer `index`'s slice of a flat parameter (or gradient) vector. */
  slice<T extends Float32Array | Float64Array>(params: T, index: number): T {
    return params.subarray(this.offsets[index], this.offsets[index] + this.layers[index].parameterCount) as T;
  }

  /** Binds every layer to the cell's tensor operations and hard nodes. */
  compile(context: StagedContext): CompiledNetwork {
    const layers: Layer[] = this.layers.map((layer) => layer.compile(context));
    return {
      forward: async (params, input, rows, rng, step) => {
        const inputs: Float32Array[] = [];
        const passes: LayerPass[] = [];
        let current = input;
        for (const [index, layer] of layers.entries()) {
          inputs.push(current);
          const pass = await layer.forward(current, rows, this.slice(params, index), rng, step);
          passes.push(pass);
          current = pass.output;
        }
        return { rows, inputs, passes, output: current };
      },
      backward: async (params, pass, outputGradient, step, into) => {
        // A reused array is cleared: a layer that is never reached (nothing upstream needs its input gradient) writes nothing.
        const gradient = into ? into.fill(0) : new Float32Array(this.parameterCount);
        let current: Float32Array | null = outputGradient;
        for (let index = layers.length - 1; index >= 0 && current; index--) {
          current = await layers[index].backward({
            input: pass.inputs[index],
            pass: pass.passes[index],
            outputGradient: current,
            rows: pass.rows,
            params: this.slice(params, index),
            parameterGradient: this.slice(gradient, index),
            // Nothing upstream of the first layer, and nothing to fill upstream of the first layer with parameters.
            wantInputGradient: index > 0 && this.offsets[index] > 0,
            step,
          });
        }
        return gradient;
      },
    };
  }
}
