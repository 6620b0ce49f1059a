import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComputeBackend } from '../../core/backend.js';
import { createCpuTensorOps, smallestOrtProduct } from '../../backends/cpu-ort-ops.js';
import { createJsTensorOps } from '../../backends/cpu-ops.js';
import { builtInBackends } from '../../backends/index.js';
import { builtInEstimators } from '../../estimators/index.js';
import { stepOp } from '../../models/hard-ops.js';
import { Rng } from '../../core/rng.js';
import { testUniforms } from '../support/random-for-tests.js';

/** C = op(A)·op(B) in float64, straight from the definition. */
function referenceProduct(a: Float32Array, b: Float32Array, m: number, k: number, n: number, transposeA: boolean, transposeB: boolean): Float64Array {
  const out = new Float64Array(m * n);
  for (let row = 0; row < m; row++) {
    for (let column = 0; column < n; column++) {
      let total = 0;
      for (let inner = 0; inner < k; inner++) {
        total += (transposeA ? a[inner * m + row] : a[row * k + inner]) * (transposeB ? b[column * k + inner] : b[inner * n + column]);
      }
      out[row * n + column] = total;
    }
  }
  return out;
}

function randomMatrix(length: number, seed: number, offset = 0): Float32Array {
  const uniform = testUniforms(seed);
  // Stored at an offset inside a larger buffer: views must be read from their own window.
  const buffer = Float32Array.from({ length: length + offset }, () => uniform() - 0.5);
  return buffer.subarray(offset);
}

const shapes: Array<[number, number, number]> = [[3, 4, 5], [17, 300, 9], [40, 64, 33], [100, 784, 16]];
const flags: Array<[boolean, boolean]> = [[false, false], [true, false], [false, true], [true, true]];

describe('CPU matrix products (onnxruntime-node above the size threshold, JavaScript below)', () => {
  const ort = createCpuTensorOps(2);
  afterAll(() => ort.dispose());

  it.each(shapes)('%i×%i×%i with every transpose matches the float64 reference', async (m, k, n) => {
    for (const [transposeA, transposeB] of flags) {
      const a = randomMatrix(m * k, m + k, 3);
      const b = randomMatrix(k * n, k + n, 5);
      const expected = referenceProduct(a, b, m, k, n, transposeA, transposeB);
      for (const ops of [ort, createJsTensorOps()]) {
        const product = await ops.matmul(a, b, m, k, n, { transposeA, transposeB });
        expect(product).toHaveLength(m * n);
        const worst = Math.max(...Array.from(product, (value, index) => Math.abs(value - expected[index])));
        expect(worst).toBeLessThan(1e-5 * Math.sqrt(k));
      }
    }
  });

  it('runs small products in JavaScript and large ones through onnxruntime-node', async () => {
    const fresh = createCpuTensorOps(1);
    await fresh.matmul(new Float32Array(12), new Float32Array(20), 3, 4, 5);
    expect(3 * 4 * 5).toBeLessThan(smallestOrtProduct);
    expect(fresh.engine()).toMatch(/^JavaScript loops \(onnxruntime-node not loaded yet\)$/);
    await fresh.matmul(new Float32Array(100 * 784), new Float32Array(784 * 16), 100, 784, 16);
    expect(100 * 784 * 16).toBeGreaterThanOrEqual(smallestOrtProduct);
    expect(fresh.engine()).toMatch(/^onnxruntime-node 1\.\d+\.\d+ \(MLAS\), 1 intra-op threads$/);
    await fresh.dispose();
  });
});

describe('gpu.js matrix products', () => {
  let gpu: ComputeBackend;
  beforeAll(async () => {
    gpu = await builtInBackends.get('gpu')!({ threads: 2 });
  });
  afterAll(() => gpu?.dispose());

  it('match the float64 reference, also where the rows exceed the texture limit', async () => {
    for (const [m, k, n] of [...shapes, [40_000, 3, 2] as [number, number, number]]) {
      const [transposeA, transposeB] = flags[(m + k) % flags.length];
      const a = randomMatrix(m * k, m, 1);
      const b = randomMatrix(k * n, n, 2);
      const expected = referenceProduct(a, b, m, k, n, transposeA, transposeB);
      const product = await gpu.ops!.matmul(a, b, m, k, n, { transposeA, transposeB });
      const worst = Math.max(...Array.from(product, (value, index) => Math.abs(value - expected[index])));
      expect(worst, `${m}×${k}×${n}`).toBeLessThan(1e-5 * Math.sqrt(k));
    }
  });

  it('a kernel that outlives another (destroyed) kernel still computes fresh results', async () => {
    // gpu.js used to delete the vertex buffer that WebGL 1's global attribute binding pointed at.
    for (let round = 0; round < 3; round++) {
      const a = randomMatrix(60 * 5, 40 + round);
      const b = randomMatrix(5 * 2, 50 + round);
      const product = await gpu.ops!.matmul(a, b, 60, 5, 2);
      const expected = referenceProduct(a, b, 60, 5, 2, false, false);
      expect(Math.max(...Array.from(product, (value, index) => Math.abs(value - expected[index])))).toBeLessThan(1e-5);
      const node = gpu.prepareHardNode!({ estimator: builtInEstimators.get('ste-relu')!, estimatorParams: {}, nodeKind: 'deterministic', width: 4, op: stepOp });
      await node.forward(Float64Array.from({ length: 40 }, (_, index) => index - 20), 10, new Rng(1), 0);
      node.dispose();
    }
  });
});
