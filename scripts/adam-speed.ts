/**
 * The Adam update alone: float32 training's WebAssembly SIMD pass (`harness/wasm-adam.ts`) against the
 * float64 JavaScript loop (`harness/optimizer.ts`) on the same vectors, fastest and median of `reps`
 * updates each, after checking that they agree over five steps and that the pass reports a NaN.
 * Usage: node dist/scripts/adam-speed.js [PARAMETERS=269322] [REPS=300] (269 322: mnist-quantized-mlp's).
 */
import { createOptimizer } from '../harness/optimizer.js';
import { createFloat32Adam } from '../harness/wasm-adam.js';

const [count, reps] = [process.argv[2] ?? '269322', process.argv[3] ?? '300'].map(Number);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(reps) || reps < 1) {
  console.error('adam-speed: PARAMETERS and REPS must be whole numbers >= 1');
  process.exit(2);
}
const wasm = createFloat32Adam(count, { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
const params = new Float64Array(count);
const gradient = new Float64Array(count);
for (let index = 0; index < count; index++) params[index] = wasm.params[index] = Math.sin(index);
const reference = createOptimizer('adam', 1e-3, count);
for (let step = 1; step <= 5; step++) {
  for (let index = 0; index < count; index++) gradient[index] = wasm.gradient[index] = Math.cos(index * 0.37 + step);
  if (!wasm.update(step)) throw new Error('adam-speed: the pass reported a non-finite gradient');
  reference.update(params, gradient, step);
}
let largest = 0;
for (let index = 0; index < count; index++) largest = Math.max(largest, Math.abs(wasm.params[index] - params[index]));
wasm.gradient[0] = Number.NaN;
const nanSeen = !wasm.update(6);
wasm.gradient[0] = 0;

/** Fastest and median milliseconds of `reps` calls. */
function time(update: (step: number) => void): [number, number] {
  const times: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const begin = performance.now();
    update(rep + 10);
    times.push(performance.now() - begin);
  }
  times.sort((a, b) => a - b);
  return [times[0], times[times.length >> 1]];
}
const [wasmFastest, wasmMedian] = time((step) => wasm.update(step));
const [jsFastest, jsMedian] = time((step) => reference.update(params, gradient, step));
console.log(`${count} parameters, ${reps} updates each; max |float32 WebAssembly − float64| after 5 steps ${largest.toExponential(2)}; NaN reported: ${nanSeen}`);
console.log(`WebAssembly SIMD float32: fastest ${wasmFastest.toFixed(3)} ms, median ${wasmMedian.toFixed(3)} ms`);
console.log(`JavaScript float64:       fastest ${jsFastest.toFixed(3)} ms, median ${jsMedian.toFixed(3)} ms`);
