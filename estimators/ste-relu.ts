import { defineDeterministicSte } from './deterministic-ste.js';

/**
 * Straight-through with the derivative of the ReLU max(0, x) as the proxy: dL/dtheta := dL/dh · 1{theta > 0}.
 * Yin et al. (2019) prove its expected coarse gradient correlates positively with the population
 * gradient for a two-layer network with binary activation and Gaussian inputs.
 */
export const steRelu = defineDeterministicSte({
  id: 'ste-relu',
  title: 'Straight-through (ReLU)',
  citation: 'Yin, Lyu, Zhang, Osher, Qi & Xin (2019), ICLR, arXiv:1903.05662',
  gradient: function steReluGradient(theta: number, dLdh: number): number {
    return theta > 0 ? dLdh : 0;
  },
});
