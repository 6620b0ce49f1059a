import { defineEstimator } from './estimator.js';
import { hardStep } from './hard-step.js';

/**
 * Straight-through with the derivative of the clipped ReLU min(max(x, 0), 1) as the proxy:
 * dL/dtheta := dL/dh · 1{0 < theta < 1}, the clip matching the [0, 1] range of the k-bit quantizer
 * (Yin et al. 2019; the `grad * ((x > 0) & (x < 1))` of quantized-network code).
 */
export const steClippedRelu = defineEstimator({
  id: 'ste-clipped-relu',
  title: 'Straight-through (clipped ReLU)',
  citation: 'Yin, Lyu, Zhang, Osher, Qi & Xin (2019), ICLR, arXiv:1903.05662; Cai, He, Sun & Vasconcelos (2017), half-wave Gaussian quantization',
  family: 'pathwise-surrogate',
  nodeKinds: ['deterministic'],
  claimsUnbiased: false,
  params: {},
  noise: [],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  kernels: {
    forward: hardStep,
    gradient: function steClippedReluGradient(theta: number, dLdh: number): number {
      return theta > 0 && theta < 1 ? dLdh : 0;
    },
  },
});
