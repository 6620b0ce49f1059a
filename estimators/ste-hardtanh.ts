import { defineDeterministicSte } from './deterministic-ste.js';

/**
 * Straight-through with the derivative of hardtanh clip(x, -1, 1) as the proxy:
 * dL/dtheta := dL/dh · 1{|theta| <= 1}, the usual backward of sign in binarized networks
 * (Courbariaux, Hubara et al. 2016).
 */
export const steHardtanh = defineDeterministicSte({
  id: 'ste-hardtanh',
  title: 'Straight-through (hardtanh)',
  citation: 'Courbariaux, Hubara, Soudry, El-Yaniv & Bengio (2016), arXiv:1602.02830 (binarized neural networks)',
  gradient: function steHardtanhGradient(theta: number, dLdh: number): number {
    return Math.abs(theta) <= 1 ? dLdh : 0;
  },
});
