import { describe, expect, it } from 'vitest';
import type { QuantizedVector } from '../../core/vector-quantizer.js';
import { vqGumbel } from '../../estimators/vq-gumbel.js';
import { vqRotation } from '../../estimators/vq-rotation.js';
import { vqSte } from '../../estimators/vq-ste.js';

/** Codebook e0 = (1, 0), e1 = (0, 2), e2 = (−1, −1), written out by hand. */
const codebook = Float64Array.from([1, 0, 0, 2, -1, -1]);

/** The vector z_e with its squared distances and nearest code worked out in the test itself. */
function vectorAt(latent: number[], params: Record<string, number>, exponentials: number[] = []): QuantizedVector {
  const distances = Float64Array.from([0, 1, 2], (code) => (latent[0] - codebook[2 * code]) ** 2 + (latent[1] - codebook[2 * code + 1]) ** 2);
  const nearest = distances.indexOf(Math.min(...distances));
  return { latent: Float64Array.from(latent), codebook, codes: 3, width: 2, nearest, distances, exponentials: Float64Array.from(exponentials), params, step: 0 };
}

function backwardOf(rule: NonNullable<typeof vqSte.vectorQuantizer>, vector: QuantizedVector, g: number[], weight = 1) {
  const latentGradient = new Float64Array(vector.width);
  const codebookGradient = new Float64Array(vector.codes * vector.width);
  rule.backward(vector, Float64Array.from(g), weight, latentGradient, codebookGradient);
  return { latent: Array.from(latentGradient), codebook: Array.from(codebookGradient) };
}

const close = (actual: number[], expected: number[], digits = 12) => actual.forEach((value, index) => expect(value).toBeCloseTo(expected[index], digits));

describe('vq-ste on hand-worked vectors', () => {
  it('hands the nearest code downstream and copies dL/dh to z_e, with the codebook and commitment gradients', () => {
    // z = (0.6, 0.8): distances 0.8, 1.8, 5.8, nearest e0. g = (0.5, −1), β = 0.25, row weight 1/2.
    const vector = vectorAt([0.6, 0.8], { beta: 0.25 });
    expect(vector.nearest).toBe(0);
    const h = new Float64Array(2);
    vqSte.vectorQuantizer!.forward(vector, h);
    expect(Array.from(h)).toEqual([1, 0]);
    const { latent, codebook: codes } = backwardOf(vqSte.vectorQuantizer!, vector, [0.5, -1], 0.5);
    // dz = g + (1/2)·2β(z − e0) = (0.5 − 0.1, −1 + 0.2); de0 = (1/2)·2(e0 − z) = (0.4, −0.8).
    close(latent, [0.4, -0.8]);
    close(codes, [0.4, -0.8, 0, 0, 0, 0]);
  });
});

describe('vq-rotation on hand-worked vectors', () => {
  it('rotates dL/dh by the rotation taking z_e to z_q: unit norms', () => {
    // û = (0.6, 0.8), q̂ = (1, 0), w = (1.6, 0.8)/√3.2, λ = 1; w·g = 0 for g = (0.5, −1), q̂·g = 0.5:
    // Rᵀg = g + 2·0.5·û = (1.1, −0.2), plus the commitment 2β(z − e0) = (−0.2, 0.4).
    const { latent, codebook: codes } = backwardOf(vqRotation.vectorQuantizer!, vectorAt([0.6, 0.8], { beta: 0.25 }), [0.5, -1]);
    close(latent, [0.9, 0.2]);
    close(codes, [0.8, -1.6, 0, 0, 0, 0]);
  });

  it('scales by ‖z_q‖/‖z_e‖: a latent of norm 1/2 doubles the rotated gradient (β = 0 leaves it alone)', () => {
    const { latent } = backwardOf(vqRotation.vectorQuantizer!, vectorAt([0.3, 0.4], { beta: 0 }), [0.5, -1]);
    close(latent, [2.2, -0.4]);
  });

  it('is λRᵀg for the matrix R = I − 2wwᵀ + 2q̂ûᵀ built in the test, and λRz_e = z_q (d = 3, random vectors)', () => {
    const codes3 = Float64Array.from([0.3, -1.2, 0.7, 2, 0.1, -0.4]);
    const latent = [0.9, 0.2, -0.5];
    const g = [0.3, -0.7, 1.1];
    const distances = Float64Array.from([0, 1], (code) => latent.reduce((sum, value, index) => sum + (value - codes3[3 * code + index]) ** 2, 0));
    const nearest = distances[0] <= distances[1] ? 0 : 1;
    const vector: QuantizedVector = { latent: Float64Array.from(latent), codebook: codes3, codes: 2, width: 3, nearest, distances, exponentials: new Float64Array(0), params: { beta: 0 }, step: 0 };
    const q = Array.from(codes3.subarray(3 * nearest, 3 * nearest + 3));
    const length = (v: number[]) => Math.hypot(...v);
    const u = latent.map((value) => value / length(latent));
    const qHat = q.map((value) => value / length(q));
    const sum = u.map((value, index) => value + qHat[index]);
    const w = sum.map((value) => value / length(sum));
    const R = [0, 1, 2].map((i) => [0, 1, 2].map((j) => (i === j ? 1 : 0) - 2 * w[i] * w[j] + 2 * qHat[i] * u[j]));
    const lambda = length(q) / length(latent);
    close([0, 1, 2].map((i) => lambda * R[i].reduce((total, value, j) => total + value * latent[j], 0)), q);
    const expected = [0, 1, 2].map((j) => lambda * [0, 1, 2].reduce((total, i) => total + R[i][j] * g[i], 0));
    close(backwardOf(vqRotation.vectorQuantizer!, vector, g).latent, expected);
  });
});

describe('vq-gumbel on hand-worked vectors', () => {
  const exponentials = [0.7, 1.9, 0.3];
  /** h = Σ y_j e_j, y = softmax((−‖z − e_j‖² − log E_j)/τ), written here from the definition. */
  function relaxed(latent: number[], book: number[], tau: number): number[] {
    const scores = [0, 1, 2].map((code) => (-((latent[0] - book[2 * code]) ** 2 + (latent[1] - book[2 * code + 1]) ** 2) - Math.log(exponentials[code])) / tau);
    const total = scores.reduce((sum, score) => sum + Math.exp(score), 0);
    const y = scores.map((score) => Math.exp(score) / total);
    return [0, 1].map((index) => y.reduce((sum, weight, code) => sum + weight * book[2 * code + index], 0));
  }

  it('hands the relaxed mixture downstream and backpropagates through it exactly (against central differences)', () => {
    const latent = [0.2, 0.5];
    const tau = 0.7;
    const g = [0.5, -1];
    const vector = vectorAt(latent, { tau }, exponentials);
    const h = new Float64Array(2);
    vqGumbel.vectorQuantizer!.forward(vector, h);
    close(Array.from(h), relaxed(latent, Array.from(codebook), tau));
    const loss = (z: number[], book: number[]) => relaxed(z, book, tau).reduce((sum, value, index) => sum + value * g[index], 0);
    const step = 1e-6;
    const numericLatent = [0, 1].map((index) => {
      const plus = [...latent];
      const minus = [...latent];
      plus[index] += step;
      minus[index] -= step;
      return (loss(plus, Array.from(codebook)) - loss(minus, Array.from(codebook))) / (2 * step);
    });
    const numericCodebook = Array.from(codebook, (_, index) => {
      const plus = Array.from(codebook);
      const minus = Array.from(codebook);
      plus[index] += step;
      minus[index] -= step;
      return (loss(latent, plus) - loss(latent, minus)) / (2 * step);
    });
    const { latent: analytic, codebook: codes } = backwardOf(vqGumbel.vectorQuantizer!, vector, g);
    close(analytic, numericLatent, 7);
    close(codes, numericCodebook, 7);
    expect(vqGumbel.vectorQuantizer!.exponentialsPerVector(3)).toBe(3);
  });
});
