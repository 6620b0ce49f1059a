import { op, singleFunctionModuleBytes, valueType } from './wasm-encoding.js';

/** Bytes of one WebAssembly page. */
const pageBytes = 65536;
/** float32 lanes of one SIMD vector. */
const lanes = 4;

// Locals of the `adam` function: its parameters, then its own locals.
const [byteLength, paramsAt, gradientAt, firstAt, secondAt] = [0, 1, 2, 3, 4];
const [beta1, oneMinusBeta1, beta2, oneMinusBeta2, negativeStepSize, secondCorrectionRoot, epsilon] = [5, 6, 7, 8, 9, 10, 11];
const [offset, gradient, first, second, probe] = [12, 13, 14, 15, 16];
/** The splatted scalars 5–11 live in locals 17–23; local 24 stays the zero vector (locals start at zero). */
const splat = (scalar: number) => scalar + 12;
const zero = 24;

const at = (base: number) => [op.localGet(base), op.localGet(offset), op.i32Add];
const load = (base: number) => [...at(base), op.v128Load];

/**
 * Adam over float32 vectors, four lanes per instruction (f32x4), in PyTorch's arrangement:
 * m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², θ ← θ + (−lr/(1−β1^t))·m / (√v / √(1−β2^t) + ε).
 * It returns Σ g·0 over the gradient, which is 0 exactly when every entry is finite (NaN and ±Inf
 * give NaN): the harness's finiteness check, fused into the same pass over memory.
 */
export const adamModuleBytes = (): Uint8Array<ArrayBuffer> => singleFunctionModuleBytes({
  name: 'adam',
  params: [...Array(5).fill(valueType.i32), ...Array(7).fill(valueType.f32)],
  results: [valueType.f32],
  locals: [valueType.i32, ...Array(12).fill(valueType.v128)],
  body: [
    ...[beta1, oneMinusBeta1, beta2, oneMinusBeta2, negativeStepSize, secondCorrectionRoot, epsilon]
      .flatMap((scalar) => [op.localGet(scalar), op.f32x4Splat, op.localSet(splat(scalar))]),
    op.block, op.loop,
    op.localGet(offset), op.localGet(byteLength), op.i32GeU, op.brIf(1),
    ...load(gradientAt), op.localTee(gradient),
    op.localGet(zero), op.f32x4Mul, op.localGet(probe), op.f32x4Add, op.localSet(probe),
    ...at(firstAt),
    ...load(firstAt), op.localGet(splat(beta1)), op.f32x4Mul,
    op.localGet(gradient), op.localGet(splat(oneMinusBeta1)), op.f32x4Mul, op.f32x4Add, op.localTee(first),
    op.v128Store,
    ...at(secondAt),
    ...load(secondAt), op.localGet(splat(beta2)), op.f32x4Mul,
    op.localGet(gradient), op.localGet(gradient), op.f32x4Mul, op.localGet(splat(oneMinusBeta2)), op.f32x4Mul, op.f32x4Add, op.localTee(second),
    op.v128Store,
    ...at(paramsAt),
    ...load(paramsAt),
    op.localGet(splat(negativeStepSize)), op.localGet(first), op.f32x4Mul,
    op.localGet(second), op.f32x4Sqrt, op.localGet(splat(secondCorrectionRoot)), op.f32x4Div, op.localGet(splat(epsilon)), op.f32x4Add,
    op.f32x4Div, op.f32x4Add,
    op.v128Store,
    op.localGet(offset), op.i32Const(16), op.i32Add, op.localSet(offset),
    op.br(0),
    op.end, op.end,
    op.localGet(probe), op.f32x4ExtractLane(0), op.localGet(probe), op.f32x4ExtractLane(1), op.f32Add,
    op.localGet(probe), op.f32x4ExtractLane(2), op.f32Add, op.localGet(probe), op.f32x4ExtractLane(3), op.f32Add,
  ],
});

type AdamFunction = (
  byteLength: number, paramsAt: number, gradientAt: number, firstAt: number, secondAt: number,
  beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, negativeStepSize: number, secondCorrectionRoot: number, epsilon: number,
) => number;

/** Adam's hyper-parameters. */
export interface AdamSettings {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/** Float32 parameters, gradient and Adam moments in one WebAssembly memory, updated by one SIMD pass. */
export interface Float32Adam {
  /** The trained parameters (a view of the module's memory: write the start here, read them back here). */
  readonly params: Float32Array;
  /** Where the step's gradient is written before `update`. */
  readonly gradient: Float32Array;
  /** One step (counted from 1) against `gradient`; false when the gradient had a NaN or ±Inf (the parameters are then not to be used). */
  update(step: number): boolean;
}

/**
 * Adam for `length` float32 parameters on a fresh WebAssembly memory (four regions: parameters,
 * gradient, first and second moments, each padded to whole SIMD vectors; the padding stays zero and
 * updates to zero). Throws where the JavaScript engine has no WebAssembly SIMD.
 */
export function createFloat32Adam(length: number, settings: AdamSettings): Float32Adam {
  const padded = Math.ceil(length / lanes) * lanes;
  const regionBytes = padded * Float32Array.BYTES_PER_ELEMENT;
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil((4 * regionBytes) / pageBytes)) });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(adamModuleBytes()), { env: { memory } });
  const adam = instance.exports.adam as AdamFunction;
  const region = (index: number) => new Float32Array(memory.buffer, index * regionBytes, length);
  const { learningRate, beta1: b1, beta2: b2, epsilon: eps } = settings;
  return {
    params: region(0),
    gradient: region(1),
    update(step) {
      const probeSum = adam(
        regionBytes, 0, regionBytes, 2 * regionBytes, 3 * regionBytes,
        b1, 1 - b1, b2, 1 - b2, -learningRate / (1 - b1 ** step), Math.sqrt(1 - b2 ** step), eps,
      );
      return probeSum === 0;
    },
  };
}
