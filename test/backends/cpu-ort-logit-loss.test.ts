import { afterAll, describe, expect, it } from 'vitest';
import { createCpuTensorOps } from '../../backends/cpu-ort-ops.js';
import { Rng } from '../../core/rng.js';

describe('the CPU backend\'s Bernoulli log-loss on onnxruntime', () => {
  const ops = createCpuTensorOps(2);
  afterAll(() => ops.dispose());

  it('computes the Bernoulli log-loss with logits as the float64 formulas do, to float32 precision, stable at |z| = 90', async () => {
    const rows = 7;
    const width = 784;
    const rng = new Rng(5);
    const logits = Float32Array.from({ length: rows * width }, (_, index) => (index % 97 === 0 ? (index % 2 ? 90 : -90) : 12 * (rng.nextUniform() - 0.5)));
    const targets = Float32Array.from({ length: rows * width }, () => (rng.nextUniform() < 0.3 ? 1 : 0));
    const found = await ops.bernoulliLogitLoss!(logits, targets, rows, width);
    if (!ops.engine().startsWith('onnxruntime-node')) {
      expect(found).toBeNull();
      return;
    }
    for (let row = 0; row < rows; row++) {
      // Written here from the definitions: softplus(z) = log(1 + e^z) = max(z, 0) + log1p(e^−|z|); σ(z) = 1 / (1 + e^−z).
      let expected = 0;
      for (let pixel = 0; pixel < width; pixel++) {
        const z = logits[row * width + pixel];
        const x = targets[row * width + pixel];
        expected += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - x * z;
        expect(found!.logitGradient[row * width + pixel]).toBeCloseTo(1 / (1 + Math.exp(-z)) - x, 6);
      }
      expect(Math.abs(found!.negativeLogLikelihood[row] - expected)).toBeLessThan(1e-6 * Math.abs(expected) + 1e-4);
    }
  });
});
