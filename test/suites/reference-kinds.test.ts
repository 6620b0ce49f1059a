import { describe, expect, it } from 'vitest';
import { withDefaults } from '../../core/parameters.js';
import { isStagedProblem } from '../../core/suite.js';
import { builtInSuites } from '../../suites/index.js';

// The README's suite table prints each suite's declared `referenceKinds`; hold the declaration to what
// the kernel problems really carry (staged problems say it only when a cell runs, and their cell tests check it).
describe('declared reference kinds', () => {
  it('every built-in suite declares its reference kinds', () => {
    for (const suite of builtInSuites.values()) expect(suite.referenceKinds, suite.id).toBeDefined();
  });

  for (const id of ['bernoulli-toy', 'bernoulli-quadratic', 'categorical-toy']) {
    it(`${id}: the declared kind is the kind its problem uses`, () => {
      const suite = builtInSuites.get(id)!;
      const problem = suite.create(withDefaults(suite.params));
      expect(isStagedProblem(problem)).toBe(false);
      if (isStagedProblem(problem)) return;
      expect(suite.referenceKinds).toEqual([problem.referenceKind ?? 'closed-form']);
    });
  }
});
