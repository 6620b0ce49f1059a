import type { LayerSpec } from './layer.js';

/** An elementwise activation: its value and its derivative (from the input x and the output y). */
export interface ActivationFunction {
  readonly id: string;
  value(x: number): number;
  derivative(x: number, y: number): number;
}

/** Built-in elementwise activations keyed by id. */
export const activationFunctions: ReadonlyMap<string, ActivationFunction> = new Map(
  [
    { id: 'identity', value: (x: number) => x, derivative: () => 1 },
    { id: 'relu', value: (x: number) => (x > 0 ? x : 0), derivative: (x: number) => (x > 0 ? 1 : 0) },
    { id: 'tanh', value: Math.tanh, derivative: (_x: number, y: number) => 1 - y * y },
    { id: 'sigmoid', value: (x: number) => 1 / (1 + Math.exp(-x)), derivative: (_x: number, y: number) => y * (1 - y) },
  ].map((activation) => [activation.id, activation]),
);

/**
 * An elementwise activation layer over `width` columns, exact in both directions. It runs on the host:
 * every tensor operation returns host arrays, and an elementwise pass costs far less than the matrix
 * products around it.
 */
export function activation(id: string, width: number): LayerSpec {
  const fn = activationFunctions.get(id);
  if (!fn) throw new Error(`unknown activation '${id}'; built in: ${[...activationFunctions.keys()].join(', ')}`);
  return {
    description: `${id} ${width}`,
    inputWidth: width,
    outputWidth: width,
    parameterCount: 0,
    initialise() {},
    compile() {
      // Plain loops rather than TypedArray.map with a callback: the same numbers, and a hidden layer of
      // the categorical VAE (100 × 512 values) took 3–4× as long through map.
      const { value, derivative } = fn;
      return {
        async forward(input) {
          const output = new Float32Array(input.length);
          for (let index = 0; index < input.length; index++) output[index] = value(input[index]);
          return { output, saved: null };
        },
        async backward({ input, pass, outputGradient, wantInputGradient }) {
          if (!wantInputGradient) return null;
          const output = pass.output;
          const inputGradient = new Float32Array(outputGradient.length);
          for (let index = 0; index < outputGradient.length; index++) inputGradient[index] = outputGradient[index] * derivative(input[index], output[index]);
          return inputGradient;
        },
      };
    },
  };
}
