/** Every public type of the results and configuration, in one place. */
import type { BackendFactory } from '../backends/backend.js';
import type { EstimatorDefinition } from '../estimators/estimator.js';
import type { SuiteDefinition } from '../suites/suite.js';

/** The plug-ins a run can use, keyed by id. */
export interface Registries {
  readonly suites: ReadonlyMap<string, SuiteDefinition>;
  readonly estimators: ReadonlyMap<string, EstimatorDefinition>;
  readonly backends: ReadonlyMap<string, BackendFactory>;
}

/** Training settings for the final-loss score; unset ones come from the suite's defaults, then the harness's. */
export interface TrainingOptions {
  readonly steps: number;
  /** Single-sample estimates averaged per step. */
  readonly samplesPerStep?: number;
  readonly learningRate?: number;
  readonly optimizer?: 'adam' | 'sgd';
  readonly batchSize: number;
  /** Independent training runs (seeds) averaged for the final loss and the loss curve. */
  readonly seeds: number;
}

/** One fully resolved, validated run configuration (frozen). */
export interface BenchConfig {
  readonly suites: readonly string[];
  readonly estimators: readonly string[];
  readonly backends: readonly string[];
  /** Single-sample estimates scored per cell. */
  readonly samples: number;
  /** Estimates drawn per backend call (and per timed batch). */
  readonly batchSize: number;
  readonly seed: number;
  readonly training: TrainingOptions;
  /** Timed batches per cell for `nsPerEstimate` (0 skips timing). */
  readonly timingIterations: number;
  /** Parameter values in effect, per suite id and per estimator id (defaults merged with --set). */
  readonly suiteParams: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly estimatorParams: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly outDir: string;
}

/** Bias and variance of an estimator against the exact gradient (or a labelled Monte Carlo reference). */
export interface GradientScores {
  /** How the reference gradient was obtained. */
  readonly referenceKind: 'closed-form' | 'enumeration' | 'monte-carlo';
  /** Norm of the per-entry standard errors of a Monte Carlo reference (absent for exact references). */
  readonly referenceStdErr?: number;
  /** The reference gradient (exact, or the Monte Carlo reference labelled by `referenceKind`). */
  readonly exactGradient: number[];
  readonly meanGradient: number[];
  readonly varianceByUnit: number[];
  /** ||mean - exact||_2. */
  readonly bias: number;
  /** Standard error of the mean gradient vector, sqrt(trace(Cov) / N). */
  readonly biasStdErr: number;
  /** bias / ||exact||_2. */
  readonly relativeBias: number;
  /** Trace of the covariance of one estimate. */
  readonly variance: number;
  /** E||estimate - exact||^2 = variance + bias^2 (per single-sample estimate). */
  readonly mse: number;
  /** Cosine similarity of the mean gradient and the exact gradient. */
  readonly cosine: number;
}

/** Exact loss E[L] along training, over the training seeds. */
export interface LossCurve {
  readonly step: number[];
  /** Mean over seeds. */
  readonly loss: number[];
  /** Smallest and largest loss over seeds at each step (the band of the training-curve chart). */
  readonly lossMin: number[];
  readonly lossMax: number[];
}

/** A further metric along training (test loss, test accuracy), over the training seeds. */
export interface TrainingMetricCurve {
  /** Mean over seeds after the last step, and its standard error. */
  readonly final: number;
  readonly finalStdErr: number;
  readonly curve: { readonly step: number[]; readonly mean: number[]; readonly min: number[]; readonly max: number[] };
}

export interface TrainingResult {
  /** Further metrics the suite evaluates along training, by name. */
  readonly trainingMetrics?: Readonly<Record<string, TrainingMetricCurve>>;
  /** Median wall time of one training step (estimates, baseline, update), and its median absolute deviation. */
  readonly msPerTrainingStep?: number;
  readonly msPerTrainingStepMad?: number;
  /** Mean over seeds of the exact loss after the last step. */
  readonly finalLoss: number;
  /** Standard error of that mean (0 with one seed). */
  readonly finalLossStdErr: number;
  readonly lossCurve: LossCurve;
  readonly trainingSeeds: number;
}

/** Timing of one batch of estimates, as tinybench measured it. */
export interface TimingScores {
  /** Median batch latency divided by the batch size, in nanoseconds. */
  readonly nsPerEstimate: number;
  /** Median absolute deviation of the per-estimate time, in nanoseconds. */
  readonly nsPerEstimateMad: number;
  readonly timedBatches: number;
  readonly timedBatchSize: number;
}

export type CellMetrics = GradientScores & Partial<TimingScores> & TrainingResult;

interface CellIdentity {
  readonly suite: string;
  readonly estimator: string;
  /** Backend id as requested (`cpu`, `gpu`). */
  readonly backend: string;
  /** What actually ran, e.g. `gpu:headlessgl`; absent when the backend could not start. */
  readonly backendMode?: string;
  readonly samples: number;
  /** Every suite and estimator parameter in effect, including the starting logits. */
  readonly params: Record<string, number | number[]>;
  /** Wall time of the cell in milliseconds. */
  readonly elapsedMs: number;
}

export type CellResult =
  | (CellIdentity & { readonly state: 'completed'; readonly metrics: CellMetrics })
  | (CellIdentity & { readonly state: 'errored'; readonly error: string })
  | (CellIdentity & { readonly state: 'unsupported'; readonly error: string });

/** A backend as it started (or failed to) in this run. */
export interface BackendReport {
  readonly id: string;
  readonly state: 'ready' | 'failed';
  readonly mode?: string;
  readonly details?: Readonly<Record<string, string>>;
  /** Paths tried and failed before the one that ran (or all of them, when failed). */
  readonly fallbacks: readonly string[];
  readonly error?: string;
}

export interface RunEnvironment {
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly arch: string;
  readonly cpus: string;
  readonly cpuCount: number;
  readonly estibench: string;
  /** Installed versions of gpu.js, headless-gl, tinybench, chart.js and the other packages behind the numbers. */
  readonly packages: Readonly<Record<string, string>>;
  readonly backends: readonly BackendReport[];
}

/** Scores of one estimator x backend at each logit of the logit sweep (arrays align with `LogitSweep.logits`). */
export interface LogitSweepSeries {
  readonly estimator: string;
  readonly backend: string;
  readonly backendMode?: string;
  readonly state: 'completed' | 'errored' | 'unsupported';
  readonly error?: string;
  /** Mean estimate minus exact gradient, averaged over units (signed). */
  readonly signedBias: number[];
  /** ||mean - exact||_2, as in the cell scores. */
  readonly bias: number[];
  readonly biasStdErr: number[];
  /** Trace of the covariance of one estimate. */
  readonly variance: number[];
  readonly exactGradient: number[];
}

/** Bias and variance across a grid of logits, every unit at the same logit (`--sweep logit`). */
export interface LogitSweep {
  readonly suite: string;
  /** Suite parameters in effect (the sweep's own `dim` included). */
  readonly params: Record<string, number>;
  readonly samples: number;
  readonly logits: number[];
  readonly series: LogitSweepSeries[];
}

/** Time of one batch of estimates as the batch size or the dimension grows, for one estimator x backend. */
export interface ScalingSeries {
  readonly estimator: string;
  readonly backend: string;
  readonly backendMode?: string;
  readonly state: 'completed' | 'errored' | 'unsupported';
  readonly error?: string;
  /** Aligned with `ScalingResults.batchSizes` (at `fixedDim`). */
  readonly bySamples: { readonly nsPerEstimate: number[]; readonly msPerBatch: number[] };
  /** Aligned with `ScalingResults.dims` (at `fixedBatchSize`). */
  readonly byDim: { readonly nsPerEstimate: number[]; readonly msPerBatch: number[] };
}

/** Timing as the number of samples per batch and the dimension grow (`--sweep scaling`). */
export interface ScalingResults {
  readonly suite: string;
  readonly batchSizes: number[];
  readonly dims: number[];
  /** Dimension of the batch-size sweep. */
  readonly fixedDim: number;
  /** Batch size of the dimension sweep. */
  readonly fixedBatchSize: number;
  /** Timed batches per point (median kept). */
  readonly timingIterations: number;
  readonly series: ScalingSeries[];
}

/** The results object: plain JSON, the only input of reporters. */
export interface BenchResults {
  readonly schemaVersion: 1;
  readonly createdAt: string;
  readonly env: RunEnvironment;
  readonly config: BenchConfig;
  readonly cells: readonly CellResult[];
  /** Extra measurements requested with `--sweep`; absent when not requested. */
  readonly sweeps?: { readonly logit?: LogitSweep };
  readonly scaling?: ScalingResults;
}

/** Progress events the runner emits; reporters decide how (or whether) to show them. */
export type ProgressEvent =
  | { readonly kind: 'cell-start'; readonly index: number; readonly total: number; readonly label: string }
  | { readonly kind: 'cell-end'; readonly index: number; readonly total: number; readonly cell: CellResult }
  | { readonly kind: 'backend'; readonly report: BackendReport };
