import { describe, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { builtInBackends } from '../../backends/index.js';
import { defineEstimator } from '../../core/estimator.js';
import { sampleEstimator, toyProblem, unitsOutsideBand } from '../support/helpers.js';

/**
 * Estimators that need several objective evaluations per estimate, written against the plug-in
 * interface as it is: the interface carries them without harness changes.
 */

/** ARM (Yin & Zhou 2019): antithetic pair b1 = 1[u > 1 - p], b2 = 1[u < p], g = (f(b1) - f(b2))(u - 1/2). */
const arm = defineEstimator({
  id: 'arm-test',
  title: 'ARM',
  citation: 'Yin & Zhou (2019), arXiv:1807.11143',
  family: 'score-function',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: true,
  params: {},
  noise: ['uniform'],
  evaluations: 2,
  needs: { objective: true, objectiveGradient: false },
  kernels: {
    forward: function armForward(theta: number, p: number, u: number, v: number, evaluation: number): number {
      if (evaluation < 0.5) return u > 1 - p ? 1 : 0;
      return u < p ? 1 : 0;
    },
    gradient: function armGradient(
      theta: number, p: number, u: number, v: number, h: number, dLdh: number, objective: number, objectiveSum: number,
      baseline: number, evaluation: number,
    ): number {
      const sign = evaluation < 0.5 ? 1 : -1;
      return sign * objective * (u - 0.5);
    },
  },
});

/** REINFORCE leave-one-out with k = 4 independent samples (Kool, van Hoof & Welling 2019). */
const reinforceLoo = defineEstimator({
  id: 'reinforce-loo-test',
  title: 'REINFORCE leave-one-out (k = 4)',
  citation: 'Kool, van Hoof & Welling (2019), ICLR workshop',
  family: 'score-function',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: true,
  params: {},
  noise: ['uniform'],
  evaluations: 4,
  noisePerEvaluation: true,
  needs: { objective: true, objectiveGradient: false },
  kernels: {
    forward: function looForward(theta: number, p: number, u: number): number {
      return u < p ? 1 : 0;
    },
    gradient: function looGradient(
      theta: number, p: number, u: number, v: number, h: number, dLdh: number, objective: number, objectiveSum: number,
    ): number {
      const othersMean = (objectiveSum - objective) / 3;
      return ((objective - othersMean) * (h - p)) / 4;
    },
  },
});

describeEachBackend('multi-evaluation estimators', (backend) => {
  it.each([arm, reinforceLoo])('$id is unbiased within 5 standard errors', async (estimator) => {
    const problem = toyProblem({ dim: 12, t: 0.3 });
    const moments = await sampleEstimator(backend(), estimator, problem, 40_000, 13);
    expect(unitsOutsideBand(moments, problem.exactGradient(problem.initialLogits), 5)).toEqual([]);
  });

  it('gives leave-one-out a lower variance than a single REINFORCE sample would have', async () => {
    const problem = toyProblem({ dim: 12, t: 0.3 });
    const moments = await sampleEstimator(backend(), reinforceLoo, problem, 20_000, 17);
    // Plain REINFORCE's variance per unit is E[(b - p)^2 f^2] - g^2, about p(1 - p) E[f^2] here; LOO with
    // four samples and a baseline is far below it.
    const exact = problem.exactGradient(problem.initialLogits);
    const plainVariance = Array.from(problem.initialLogits, (theta, unit) => {
      const p = 1 / (1 + Math.exp(-theta));
      return p * (1 - p) * 2 - exact[unit] ** 2;
    });
    const looVariance = Array.from(moments.sumOfSquaredDeviations, (deviations) => deviations / (moments.count - 1));
    expect(looVariance.reduce((a, b) => a + b, 0)).toBeLessThan(0.5 * plainVariance.reduce((a, b) => a + b, 0));
  });
});

describe('multi-evaluation estimators across backends', () => {
  it('leave-one-out gives the same estimates on CPU and GPU, also where the GPU splits the batch to fit its textures', async () => {
    const cpu = await builtInBackends.get('cpu')!({ threads: 2 });
    const gpu = await builtInBackends.get('gpu')!({ threads: 2 });
    try {
      const problem = toyProblem({ dim: 10 });
      // 8192 samples x 4 evaluations = 32768 texture rows, more than headless-gl's 16384.
      const onCpu = await sampleEstimator(cpu, reinforceLoo, problem, 8192, 21);
      const onGpu = await sampleEstimator(gpu, reinforceLoo, problem, 8192, 21);
      for (let unit = 0; unit < problem.dim; unit++) {
        expect(Math.abs(onGpu.mean[unit] - onCpu.mean[unit])).toBeLessThan(2e-3);
      }
    } finally {
      gpu.dispose();
      cpu.dispose();
    }
  });
});
