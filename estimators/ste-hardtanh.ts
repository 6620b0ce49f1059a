import { defineEstimator } from './estimator.js';
import { hardStep } from './hard-step.js';

/**
 * Straight-through with the derivative of hardtanh clip(x, -1, 1) as the proxy:
 * dL/dtheta := dL/dh · 1{|theta| <= 1}, the usual backward of sign in binarized networks
 * (Courbariaux, Hubara et al. 2016).
 */
export const steHardtanh = defineEstimator({
  id: 'ste-hardtanh',
  title: 'Straight-through (hardtanh)',
  citation: 'Courbariaux, Hubara, Soudry, El-Yaniv & Bengio (2016), arXiv:1602.02830 (binarized neural networks)',
  family: 'pathwise-surrogate',
  nodeKinds: ['deterministic'],
  claimsUnbiased: false,
  params: {},
  noise: [],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  kernels: {
    forward: hardStep,
    gradient: function steHardtanhGradient(theta: number, dLdh: number): number {
      return Math.abs(theta) <= 1 ? dLdh : 0;
    },
  },
});
