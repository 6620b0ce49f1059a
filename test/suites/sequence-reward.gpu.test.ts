import { expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { builtInEstimators } from '../../estimators/index.js';
import { withDefaults } from '../../core/parameters.js';
import { isStagedProblem } from '../../core/suite.js';
import { sequenceReward } from '../../suites/sequence-reward.js';
import { drawSequenceSetting, enumerateSequences, type SequencePolicy } from '../../suites/sequence-reward-policy.js';
import { sampleEstimator, unitsOutsideBand } from '../support/helpers.js';

const params = { dim: 4, classes: 3, beta: 0.2, seed: 3 };

describeEachBackend('REINFORCE leave-one-out on sequence-reward', (backend) => {
  const cases: [SequencePolicy, number][] = [['factorised', 20_000], ['autoregressive', 20_000]];
  for (const [policy, samples] of cases) {
    it(`is unbiased for the gradient of −E[r] + β·KL: every element within 5 standard errors of the enumeration (${policy} policy)`, async () => {
      const problem = sequenceReward.create(withDefaults(sequenceReward.params, { ...params, policy }));
      if (!isStagedProblem(problem)) throw new Error('sequence-reward is staged');
      const { setting } = drawSequenceSetting(params.dim, params.classes, params.beta, params.seed, { policy });
      const exact = enumerateSequences(setting, problem.initialParameters).gradient;
      expect(exact.length).toBe(problem.initialParameters.length);
      expect(Math.max(...exact.map(Math.abs))).toBeGreaterThan(1e-3);
      const moments = await sampleEstimator(backend(), builtInEstimators.get('reinforce-loo')!, problem, samples, 5, { k: 4 });
      expect(unitsOutsideBand(moments, exact, 5)).toEqual([]);
    });
  }
}, { staged: true });
