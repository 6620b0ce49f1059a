/**
 * How the reports name, scale and rank the training metrics suites record (`trainingMetrics` in
 * results.json), so that a metric reads the same in the console, report.md and summary.md: accuracy in
 * percent everywhere. A metric missing here is shown under its own name, unscaled, and not ranked.
 */
import { formatMeasured } from './ranking.js';

/** How one training metric is shown. */
export interface TrainingMetricInfo {
  /** `test accuracy`. */
  readonly label: string;
  /** Which direction is better; absent: not ranked. */
  readonly better?: 'lower' | 'higher';
  /** Multiplies the recorded value for display (100: a fraction shown in percent). */
  readonly scale: number;
  /** Appended to displayed values: `%`, ` nats`. */
  readonly unit: string;
}

const known: Readonly<Record<string, TrainingMetricInfo>> = {
  testAccuracy: { label: 'test accuracy', better: 'higher', scale: 100, unit: '%' },
  testLoss: { label: 'test loss', better: 'lower', scale: 1, unit: '' },
  // mnist-stochastic-mlp's deterministic test-time rule (h = 1{a > 0}) beside its sampled one.
  thresholdTestAccuracy: { label: 'test accuracy (threshold)', better: 'higher', scale: 100, unit: '%' },
  thresholdTestLoss: { label: 'test loss (threshold)', better: 'lower', scale: 1, unit: '' },
  thresholdTrainLoss: { label: 'training loss (threshold)', better: 'lower', scale: 1, unit: '' },
  testNegativeElbo: { label: 'test −ELBO', better: 'lower', scale: 1, unit: ' nats' },
  angleToTeacher: { label: 'angle to the teacher', better: 'lower', scale: 1, unit: ' rad' },
};

/** The display of metric `name` (an unknown one under its own name, unscaled, unranked). */
export function trainingMetricInfo(name: string): TrainingMetricInfo {
  return known[name] ?? { label: name, scale: 1, unit: '' };
}

/** A metric's value (and standard error) scaled for display, with its unit: `92.1 ± 0.3%`. */
export function formatTrainingMetric(name: string, value: number | undefined, stdErr?: number): string {
  if (value === undefined) return '-';
  const { scale, unit } = trainingMetricInfo(name);
  return formatMeasured({ value, ...(stdErr !== undefined ? { stdErr } : {}) }, unit, scale);
}
