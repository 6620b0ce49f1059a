/**
 * The estimators of one suite setting as the verdict sees them: one entry per estimator variant, its
 * seeds averaged, the statistics of the first backend standing for all (backends consume the same
 * noise and agree to float32 precision; one that differs beyond noise is named), time per backend.
 */
import { gradientScores, trainingResult, type BenchResults, type EstimatorTraits } from '../../core/types.js';
import { backendDifferences, estimatorGroups, type CompletedCell, type SuiteVariant } from '../cells.js';
import { mseStdErr, varianceStdErr } from '../uncertainty.js';
import { meanOfMeasured, type Measured } from './noise.js';
import { biasTest, type BiasTest } from './unbiased.js';

/** Cost of an estimator on one backend. */
export interface BackendCost {
  /** Backend id as requested (`cpu`). */
  readonly backend: string;
  /** What ran (`cpu:fused-js`), or the id. */
  readonly mode: string;
  /** Median ns per estimate, with the standard error of that median (see `medianStdErr`). */
  readonly nsPerEstimate?: Measured;
  readonly msPerTrainingStep?: Measured;
}

/** One estimator variant of a suite setting. */
export interface VerdictEntry {
  /** `gumbel-softmax tau=0.5`: the estimator with the parameters that vary in the run. */
  readonly label: string;
  readonly estimator: string;
  /** Absent in results of plug-ins written before cells recorded them. */
  readonly traits?: EstimatorTraits;
  /** Every completed cell of the variant (seeds × backends). */
  readonly cells: readonly CompletedCell[];
  readonly bias?: Measured;
  readonly relativeBias?: number;
  readonly variance?: Measured;
  readonly mse?: Measured;
  readonly biasTest?: BiasTest;
  /** Backends in run order, each with its own time. */
  readonly costs: readonly BackendCost[];
  /** Mean over seeds of the final loss; no standard error with one training seed. */
  readonly finalLoss?: Measured;
  readonly trainingSeeds?: number;
  /** Further training metrics after the last step, by name (test accuracy as a fraction, as recorded). */
  readonly trainingMetrics: Readonly<Record<string, Measured>>;
  /** Backends whose scores differ from the first beyond noise, with the scores that differ. */
  readonly differingBackends: ReadonlyArray<{ readonly backend: string; readonly scores: readonly string[] }>;
}

/**
 * Standard error of a median of n timed batches from their median absolute deviation: 1.2533·σ/√n with
 * σ ≈ 1.4826·MAD (exact for normal scatter; the median resists the long right tail a shared machine
 * adds). Without the batch count (older files), the MAD itself stands in, a larger number.
 */
export function medianStdErr(mad: number, batches: number | undefined): number {
  return batches !== undefined && batches > 0 ? (1.2533 * 1.4826 * mad) / Math.sqrt(batches) : mad;
}

const mean = (values: readonly number[]) => values.reduce((total, value) => total + value, 0) / values.length;

/** Present only when every cell has it. */
function averaged(cells: readonly CompletedCell[], read: (cell: CompletedCell) => Measured | undefined): Measured | undefined {
  const values = cells.map(read);
  return values.length > 0 && values.every((value) => value !== undefined) ? meanOfMeasured(values as Measured[]) : undefined;
}

function entryOf(cells: readonly CompletedCell[], label: string, estimator: string): VerdictEntry {
  const backends = [...new Set(cells.map((cell) => cell.backend))];
  const onBackend = (backend: string) => cells.filter((cell) => cell.backend === backend);
  const reference = onBackend(backends[0]);
  const gradient = (cell: CompletedCell) => gradientScores(cell.metrics);
  const training = (cell: CompletedCell) => trainingResult(cell.metrics);
  const scored = reference.filter((cell) => gradient(cell));
  const trained = reference.filter((cell) => training(cell));
  // One training seed gives a standard error of 0, which is no estimate of the noise.
  const trainingSeeds = trained.length > 0 ? Math.min(...trained.map((cell) => training(cell)!.trainingSeeds)) : undefined;
  const trainingError = (error: number) => (trainingSeeds !== undefined && trainingSeeds > 1 ? error : undefined);
  const metricNames = [...new Set(trained.flatMap((cell) => Object.keys(training(cell)!.trainingMetrics ?? {})))];
  const trainingMetrics = Object.fromEntries(metricNames.flatMap((name) => {
    const value = averaged(trained, (cell) => {
      const metric = training(cell)!.trainingMetrics?.[name];
      return metric && { value: metric.final, stdErr: trainingError(metric.finalStdErr) };
    });
    return value && Number.isFinite(value.value) ? [[name, value]] : [];
  }));
  const costs = backends.map((backend): BackendCost => {
    const mine = onBackend(backend);
    const nsPerEstimate = averaged(mine, (cell) => (cell.metrics.nsPerEstimate === undefined
      ? undefined
      : { value: cell.metrics.nsPerEstimate, stdErr: medianStdErr(cell.metrics.nsPerEstimateMad ?? 0, cell.metrics.timedBatches) }));
    const msPerTrainingStep = averaged(mine, (cell) => (cell.metrics.msPerTrainingStep === undefined ? undefined : { value: cell.metrics.msPerTrainingStep, stdErr: cell.metrics.msPerTrainingStepMad ?? 0 }));
    return { backend, mode: mine[0].backendMode ?? backend, ...(nsPerEstimate ? { nsPerEstimate } : {}), ...(msPerTrainingStep ? { msPerTrainingStep } : {}) };
  });
  const differingBackends = backends.slice(1).flatMap((backend) => {
    const scores = new Set(onBackend(backend).flatMap((cell) => {
      const twin = reference.find((candidate) => candidate.seed === cell.seed);
      return twin ? backendDifferences(twin, cell) : [];
    }));
    return scores.size > 0 ? [{ backend, scores: [...scores] }] : [];
  });
  const traits = cells.find((cell) => cell.estimatorTraits)?.estimatorTraits;
  const finalLoss = trained.length > 0 ? averaged(trained, (cell) => ({ value: training(cell)!.finalLoss, stdErr: trainingError(training(cell)!.finalLossStdErr) })) : undefined;
  const test = scored.length > 0 ? biasTest(scored) : undefined;
  return {
    label,
    estimator,
    ...(traits ? { traits } : {}),
    cells,
    ...(scored.length > 0
      ? {
        bias: averaged(scored, (cell) => ({ value: gradient(cell)!.bias, stdErr: gradient(cell)!.biasStdErr })),
        relativeBias: mean(scored.map((cell) => gradient(cell)!.relativeBias)),
        variance: averaged(scored, (cell) => ({ value: gradient(cell)!.variance, stdErr: varianceStdErr(gradient(cell)!, cell.samples) })),
        mse: averaged(scored, (cell) => ({ value: gradient(cell)!.mse, stdErr: mseStdErr(gradient(cell)!, cell.samples) })),
      }
      : {}),
    ...(test ? { biasTest: test } : {}),
    costs,
    ...(finalLoss ? { finalLoss } : {}),
    ...(trainingSeeds !== undefined ? { trainingSeeds } : {}),
    trainingMetrics,
    differingBackends,
  };
}

/** The entries of one suite setting, in run order (the seeds of a seed grid fall in one entry). */
export function verdictEntries(results: BenchResults, variant: SuiteVariant): VerdictEntry[] {
  return estimatorGroups(results, variant.cells, true).map((group) => entryOf(group.cells, group.label, group.estimator));
}
