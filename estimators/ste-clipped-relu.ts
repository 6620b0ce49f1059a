import { defineDeterministicSte } from './deterministic-ste.js';

/**
 * Straight-through with the derivative of the clipped ReLU min(max(x, 0), 1) as the proxy:
 * dL/dtheta := dL/dh · 1{0 < theta < 1}, the clip matching the [0, 1] range of the k-bit quantizer
 * (Yin et al. 2019; the `grad * ((x > 0) & (x < 1))` of quantized-network code).
 */
export const steClippedRelu = defineDeterministicSte({
  id: 'ste-clipped-relu',
  title: 'Straight-through (clipped ReLU)',
  citation: 'Yin, Lyu, Zhang, Osher, Qi & Xin (2019), ICLR, arXiv:1903.05662; Cai, He, Sun & Vasconcelos (2017), half-wave Gaussian quantization',
  gradient: function steClippedReluGradient(theta: number, dLdh: number): number {
    return theta > 0 && theta < 1 ? dLdh : 0;
  },
});
