import type { TensorOps } from '../core/suite.js';
import { destroyKernel } from './gpu-kernel-release.js';
import type { GpuJsKernel, GpuRuntime } from './gpu-runtime.js';

/** The gpu.js kernels of the staged cells' batched operations, compiled once per shape and released together. */
export interface GpuTensorOps extends TensorOps {
  dispose(): void;
}

/** The first `length` values in an array of their own: gpu.js uploads an input's whole buffer, not a view's window. */
function wholeBuffer(values: Float32Array, length: number): Float32Array {
  return values.byteOffset === 0 && values.buffer.byteLength === length * 4 ? values : values.slice(0, length);
}

/** Batched operations as gpu.js kernels (one thread per output element). */
export function createGpuTensorOps(runtime: GpuRuntime): GpuTensorOps {
  const kernels = new Map<string, GpuJsKernel>();
  const matmulKernel = (m: number, k: number, n: number, transposeA: boolean, transposeB: boolean): GpuJsKernel => {
    const key = `${m}x${k}x${n}:${transposeA}:${transposeB}`;
    let kernel = kernels.get(key);
    if (!kernel) {
      const aAt = transposeA ? 'a[inner][this.thread.y]' : 'a[this.thread.y][inner]';
      const bAt = transposeB ? 'b[this.thread.x][inner]' : 'b[inner][this.thread.x]';
      kernel = runtime.gpu.createKernel(
        `function (a, b) { let total = 0; for (let inner = 0; inner < ${k}; inner++) { total += ${aAt} * ${bAt}; } return total; }`,
        { output: [n, m], tactic: 'precision', precision: 'single', loopMaxIterations: k + 1 },
      );
      kernels.set(key, kernel);
    }
    return kernel;
  };
  /** One device pass: C rows [m × n] as one kernel output (m within the texture limit). */
  const matmulOnce = async (a: Float32Array, b: Float32Array, m: number, k: number, n: number, transposeA: boolean, transposeB: boolean) => {
    const { input } = runtime.gpujs;
    const aInput = input(wholeBuffer(a, m * k), transposeA ? [m, k] : [k, m]);
    const bInput = input(wholeBuffer(b, k * n), transposeB ? [k, n] : [n, k]);
    const rows = (await matmulKernel(m, k, n, transposeA, transposeB)(aInput, bInput)) as Float32Array[] | Float32Array;
    if (rows instanceof Float32Array) return rows;
    const out = new Float32Array(m * n);
    rows.forEach((row, index) => out.set(row, index * n));
    return out;
  };
  return {
    async matmul(a, b, m, k, n, options = {}) {
      const transposeA = options.transposeA ?? false;
      const transposeB = options.transposeB ?? false;
      if (n > runtime.maxTextureSize) throw new Error(`a matrix product with ${n} columns needs textures ${n} wide; this GPU allows ${runtime.maxTextureSize}`);
      if (m <= runtime.maxTextureSize) return matmulOnce(a, b, m, k, n, transposeA, transposeB);
      // Output rows beyond the texture limit: blocks of rows, each with its own rows of op(A).
      const out = new Float32Array(m * n);
      for (let first = 0; first < m; first += runtime.maxTextureSize) {
        const rows = Math.min(runtime.maxTextureSize, m - first);
        let block: Float32Array;
        if (transposeA) {
          block = new Float32Array(rows * k);
          for (let row = 0; row < rows; row++) for (let inner = 0; inner < k; inner++) block[row * k + inner] = a[inner * m + first + row];
        } else {
          block = a.subarray(first * k, (first + rows) * k);
        }
        out.set(await matmulOnce(block, b, rows, k, n, false, transposeB), first * n);
      }
      return out;
    },
    dispose() {
      for (const kernel of kernels.values()) destroyKernel(kernel);
      kernels.clear();
    },
  };
}
