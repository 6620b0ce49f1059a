import type { QuantizedVector } from '../core/vector-quantizer.js';
import { defineNearestCodeEstimator } from './vq-ste.js';

/** Smallest norm divided by, as the reference implementations clamp it (F.normalize's eps). */
const smallestNorm = 1e-6;

function norm(values: ArrayLike<number>, start: number, length: number): number {
  let total = 0;
  for (let index = 0; index < length; index++) total += values[start + index] ** 2;
  return Math.sqrt(total);
}

/**
 * dL/dz_e of the rotation trick for one vector, added to `latentGradient`: h = λ R z_e with
 * λ = ‖z_q‖/‖z_e‖ and R = I − 2wwᵀ + 2 q̂ ûᵀ (û = z_e/‖z_e‖, q̂ = z_q/‖z_q‖, w = (û + q̂)/‖û + q̂‖), the
 * rotation taking û to q̂, with λ and R treated as constants (stop-gradient). So h = z_q exactly, and
 * dL/dz_e = λ Rᵀ g = λ (g − 2 (w·g) w + 2 (q̂·g) û) for g = dL/dh.
 */
export function addRotatedGradient(vector: QuantizedVector, outputGradient: Float64Array, latentGradient: Float64Array): void {
  const { latent, codebook, nearest, width } = vector;
  const codeStart = nearest * width;
  const latentNorm = Math.max(norm(latent, 0, width), smallestNorm);
  const codeNorm = Math.max(norm(codebook, codeStart, width), smallestNorm);
  const scale = codeNorm / latentNorm;
  let sumNorm = 0;
  for (let index = 0; index < width; index++) sumNorm += (latent[index] / latentNorm + codebook[codeStart + index] / codeNorm) ** 2;
  sumNorm = Math.max(Math.sqrt(sumNorm), smallestNorm);
  let wDotG = 0;
  let codeDotG = 0;
  for (let index = 0; index < width; index++) {
    const w = (latent[index] / latentNorm + codebook[codeStart + index] / codeNorm) / sumNorm;
    wDotG += w * outputGradient[index];
    codeDotG += (codebook[codeStart + index] / codeNorm) * outputGradient[index];
  }
  for (let index = 0; index < width; index++) {
    const w = (latent[index] / latentNorm + codebook[codeStart + index] / codeNorm) / sumNorm;
    latentGradient[index] += scale * (outputGradient[index] - 2 * wDotG * w + 2 * codeDotG * (latent[index] / latentNorm));
  }
}

/**
 * The rotation trick (Fifty et al. 2024): the forward value is still the nearest code, but the
 * gradient reaching z_e is dL/dh rotated and rescaled by the map that takes z_e to z_q
 * (`addRotatedGradient`), so that its angle to the code and its norm carry into the update. The
 * codebook and commitment losses stay as in VQ-VAE.
 */
export const vqRotation = defineNearestCodeEstimator({
  id: 'vq-rotation',
  title: 'VQ rotation trick',
  citation: 'Fifty, Junkins, Duan, Iyengar, Liu, Amid, Thrun & Ré (2024), Restructuring Vector Quantization with the Rotation Trick, arXiv:2410.06424',
  addLatentGradient: addRotatedGradient,
});
