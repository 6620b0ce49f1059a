import type { TensorOps } from '../suites/suite.js';
import type { GpuJsKernel, GpuRuntime } from './gpu-runtime.js';

/** The gpu.js kernels of the staged cells' batched operations, compiled once per shape and released together. */
export interface GpuTensorOps extends TensorOps {
  dispose(): void;
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
  return {
    async matmul(a, b, m, k, n, options = {}) {
      const transposeA = options.transposeA ?? false;
      const transposeB = options.transposeB ?? false;
      const { input } = runtime.gpujs;
      const aInput = input(a, transposeA ? [m, k] : [k, m]);
      const bInput = input(b, transposeB ? [k, n] : [n, k]);
      const rows = (await matmulKernel(m, k, n, transposeA, transposeB)(aInput, bInput)) as Float32Array[] | Float32Array;
      if (rows instanceof Float32Array) return rows;
      const out = new Float32Array(m * n);
      rows.forEach((row, index) => out.set(row, index * n));
      return out;
    },
    dispose() {
      for (const kernel of kernels.values()) kernel.destroy();
      kernels.clear();
    },
  };
}
