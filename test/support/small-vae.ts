import { withDefaults } from '../../core/parameters.js';
import type { GradientScores } from '../../core/types.js';
import { isStagedProblem, type ReferenceGradient, type StagedProblem, type SuiteDefinition } from '../../core/suite.js';
import { mnistBinaryVae } from '../../suites/mnist-binary-vae.js';
import { mnistCategoricalVae } from '../../suites/mnist-categorical-vae.js';

/** Small VAEs with a short warm-up: 6 Bernoulli latents; 3 categorical units of 4 classes with narrow hidden layers. */
export const smallVaes: ReadonlyArray<readonly [SuiteDefinition, Record<string, number>]> = [
  [mnistBinaryVae, { latents: 6, batch: 10, warmupSteps: 30, scoreExamples: 2, referenceSamples: 3000, evalExamples: 200 }],
  [mnistCategoricalVae, { latents: 3, classes: 4, hiddenOuter: 16, hiddenInner: 8, batch: 10, warmupSteps: 30, scoreExamples: 2, referenceSamples: 3000, evalExamples: 200 }],
];

/** A VAE suite's problem at `settings` with `overrides`. */
export function smallVae(suite: SuiteDefinition, settings: Record<string, number>, overrides: Record<string, number> = {}): StagedProblem {
  const problem = suite.create(withDefaults(suite.params, { ...settings, ...overrides }));
  if (!isStagedProblem(problem)) throw new Error('the VAEs are staged suites');
  return problem;
}

/**
 * Entries of the mean estimate more than 5 combined standard errors (estimate and reference) from the
 * reference; `scale` multiplies the estimates' mean and standard error first (an estimator whose mean is
 * a known positive multiple of the gradient).
 */
export function entriesOutsideBand(scores: GradientScores, reference: ReferenceGradient, samples: number, scale = 1): string[] {
  const outside: string[] = [];
  scores.meanGradient.forEach((mean, entry) => {
    const standardError = Math.sqrt((scale * scale * scores.varianceByUnit[entry]) / samples + reference.stdErr![entry] ** 2);
    const distance = Math.abs(scale * mean - reference.gradient[entry]);
    if (distance > 5 * standardError) outside.push(`entry ${entry}: ${(scale * mean).toPrecision(4)} vs ${reference.gradient[entry].toPrecision(4)} (${(distance / standardError).toFixed(1)} se)`);
  });
  return outside;
}
