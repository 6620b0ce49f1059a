import type { ComputeBackend } from '../../core/backend.js';
import type { EstimatorDefinition } from '../../core/estimator.js';

/** A check's outcome: PASS and FAIL judge the estimator; SKIP says why the check could not judge it here. */
export const checkStatuses = ['pass', 'fail', 'skip'] as const;
export type CheckStatus = (typeof checkStatuses)[number];

/** One check's verdict, with the numbers behind it. */
export interface CheckVerdict {
  readonly checkId: string;
  readonly status: CheckStatus;
  /** One line: what was measured (max |z|, the mismatching unit, the harness's error message). */
  readonly detail: string;
}

/** How hard the checks look: sample counts trade time for the resolution of the statistical checks. */
export interface CheckSettings {
  /** Estimates per point (suite × logits) of the mean and bias checks. */
  readonly samples: number;
  /** Estimates per draw of the determinism, NaN and agreement checks. */
  readonly probeSamples: number;
  readonly seed: number;
  /** Standard errors beyond which a claimed-unbiased mean fails. */
  readonly sigmas: number;
}

/** The quick-by-default settings of `estibench check`. */
export const defaultCheckSettings: CheckSettings = Object.freeze({ samples: 20_000, probeSamples: 2048, seed: 1, sigmas: 5 });

/** What a check runs against: the estimator, the started CPU backend, and the GPU backend when `--gpu` started one. */
export interface CheckContext {
  readonly estimator: EstimatorDefinition;
  readonly cpu: ComputeBackend;
  /** The GPU backend, or why there is none (not asked for, or it did not start). */
  readonly gpu: ComputeBackend | { readonly unavailable: string };
  readonly settings: CheckSettings;
}

/** A conformance check, as a rule of a linter is: an id, what it checks, and how. */
export interface ConformanceCheck {
  readonly id: string;
  readonly description: string;
  run(context: CheckContext): Promise<Omit<CheckVerdict, 'checkId'>>;
}
