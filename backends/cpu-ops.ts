import type { TensorOps } from '../core/suite.js';

/**
 * Batched operations on the CPU in plain JavaScript: correct everywhere, and the reference the faster
 * implementations are tested against.
 */
export function createJsTensorOps(): TensorOps {
  return {
    async matmul(a, b, m, k, n, options = {}) {
      const out = new Float32Array(m * n);
      // Row of A and row of B read with strides that depend on the transposes; the k loop is in the
      // middle so the innermost loop walks C and (untransposed) B contiguously.
      const aRowStride = options.transposeA ? 1 : k;
      const aColumnStride = options.transposeA ? m : 1;
      const bRowStride = options.transposeB ? 1 : n;
      const bColumnStride = options.transposeB ? k : 1;
      for (let row = 0; row < m; row++) {
        const outBase = row * n;
        for (let inner = 0; inner < k; inner++) {
          const scale = a[row * aRowStride + inner * aColumnStride];
          if (scale === 0) continue;
          const bBase = inner * bRowStride;
          for (let column = 0; column < n; column++) out[outBase + column] += scale * b[bBase + column * bColumnStride];
        }
      }
      return out;
    },
  };
}
