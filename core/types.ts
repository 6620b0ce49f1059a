/** Every public type of the results and configuration, in one place (results.json schema version 2). */
import type { BackendFactory } from './backend.js';
import type { EstimatorDefinition, EstimatorFamily, NodeKind } from './estimator.js';
import type { SuiteDefinition } from './suite.js';
import type { ParameterGrid, ParameterValues } from './parameters.js';

/** The optimisers training can use (`--optimizer`). */
export const optimizerIds = ['adam', 'sgd', 'sgd-momentum'] as const;
export type OptimizerId = (typeof optimizerIds)[number];

/**
 * The number format of a training run's parameters, gradient and optimiser state: `float64` (the
 * harness's JavaScript vectors), or `float32` (the network suites' choice, as PyTorch trains: the
 * vectors live in WebAssembly memory and Adam runs as one SIMD pass, see harness/wasm-adam.ts).
 */
export const trainingPrecisions = ['float64', 'float32'] as const;
export type TrainingPrecision = (typeof trainingPrecisions)[number];

/** What became of a cell: computed, failed (the error is kept), or not applicable by design. */
export const cellStates = ['completed', 'errored', 'unsupported'] as const;
export type CellState = (typeof cellStates)[number];

/** The plug-ins a run can use, keyed by id. */
export interface Registries {
  readonly suites: ReadonlyMap<string, SuiteDefinition>;
  readonly estimators: ReadonlyMap<string, EstimatorDefinition>;
  readonly backends: ReadonlyMap<string, BackendFactory>;
  /** The module each plug-in estimator or suite was loaded from, keyed by its id (absent for built-ins). */
  readonly pluginSources?: ReadonlyMap<string, PluginSource>;
}

/** A plug-in module as loaded: the path given, the path resolved, and the SHA-256 of the file. */
export interface PluginSource {
  readonly path: string;
  readonly resolvedPath: string;
  readonly sha256: string;
}

/** Training settings for the final-loss score; unset ones come from the suite's defaults, then the harness's. */
export interface TrainingOptions {
  readonly steps: number;
  /** Single-sample estimates averaged per step. */
  readonly samplesPerStep?: number;
  readonly learningRate?: number;
  readonly optimizer?: OptimizerId;
  /** The number format to train in where the cell can (default: the suite's, else float64; see TrainingPrecision). */
  readonly precision?: TrainingPrecision;
  readonly batchSize: number;
  /** Independent training runs (seeds) averaged for the final loss and the loss curve. */
  readonly seeds: number;
  /**
   * Training steps at which the gradient scores are taken along each run's own trajectory (`--score-at`),
   * increasing, each at most `steps`; absent when not asked for (and then absent from cell keys).
   */
  readonly scoreAt?: readonly number[];
}

/** The suite and parameters a sweep runs on, resolved when the configuration is. */
export interface SweepSetting {
  readonly suite: string;
  readonly params: ParameterValues;
}

/** Extra measurements requested with `--sweep`, each with its suite; absent when not requested. */
export interface SweepSettings {
  readonly logit?: SweepSetting;
  readonly scaling?: SweepSetting;
}

/** An estimator x suite pair a run leaves out because the estimator cannot run on the suite, and why. */
export interface UnsupportedPair {
  readonly suite: string;
  readonly estimator: string;
  readonly reason: string;
}

/**
 * Which code an estimator or suite of a run came from: a built-in (estibench's version and the SHA-256
 * of the definition's source) or a plug-in module (its path and the SHA-256 of the file). Cell keys
 * include `sha256`, so `--resume` recomputes the cells of code that changed.
 */
export interface CodeProvenance {
  readonly origin: 'built-in' | 'plugin';
  readonly sha256: string;
  /** estibench's version (built-ins). */
  readonly version?: string;
  /** The plug-in module as given to `--plugin`, and resolved (plug-ins). */
  readonly path?: string;
  readonly resolvedPath?: string;
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
  /** Seeds of the run: each seed is a cell of its own (one seed unless `--seed 1,2,3`). */
  readonly seeds: readonly number[];
  readonly training: TrainingOptions;
  /** Timed batches per cell for `nsPerEstimate` (0 skips timing). */
  readonly timingIterations: number;
  /**
   * Every value of every parameter, per suite id and per estimator id (defaults merged with --set);
   * a parameter with several values is a grid axis: one cell per value.
   */
  readonly suiteParams: Readonly<Record<string, ParameterGrid>>;
  readonly estimatorParams: Readonly<Record<string, ParameterGrid>>;
  readonly sweeps: SweepSettings;
  /**
   * Estimator x suite pairs left out of the plan because they cannot run (a node kind the estimator
   * does not define, a suite's own limit); absent in files written before pairs were left out.
   */
  readonly unsupportedPairs?: readonly UnsupportedPair[];
  /**
   * Where the code of every selected estimator and suite came from, keyed by id (absent in files written
   * before it was recorded). Not part of the configuration fingerprint: a resumed run with changed code
   * recomputes the cells of that code instead of refusing.
   */
  readonly code?: Readonly<Record<string, CodeProvenance>>;
  /** Worker threads the CPU backend may use (`--threads`). */
  readonly threads: number;
  readonly outDir: string;
}

/** Where an exact (or reference) gradient comes from. */
export const referenceKinds = ['closed-form', 'enumeration', 'monte-carlo'] as const;
export type ReferenceKind = (typeof referenceKinds)[number];

/** Bias and variance of an estimator against the suite's reference gradient. */
export interface GradientScores {
  /** How the reference gradient was obtained. */
  readonly referenceKind: ReferenceKind;
  /** Norm of the per-entry standard errors of a Monte Carlo reference (absent for exact references); included in `biasStdErr`. */
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

/** One training seed's gradient scores at one point of its trajectory (`--score-at`). */
export interface SeedScoresAtStep {
  readonly bias: number;
  /** The size of `bias` sampling noise alone gives, as `GradientScores.biasStdErr`. */
  readonly biasStdErr: number;
  readonly variance: number;
  readonly mse: number;
  readonly cosine: number;
  /** ||reference||_2 at this seed's parameters: the reference is recomputed at every point. */
  readonly referenceNorm: number;
  /** Norm of a Monte Carlo reference's standard errors (absent for exact references). */
  readonly referenceStdErr?: number;
  /**
   * The estimator's trainable state at this point, by name (for example REBAR's `eta`), recorded by the
   * training loop of estimators that carry state; absent for stateless estimators.
   */
  readonly estimatorState?: Readonly<Record<string, number>>;
}

/**
 * Gradient scores at one training step, over the training seeds: each seed is scored at its own
 * parameters with its own stream, so the standard errors over seeds hold both the sampling noise and
 * the spread of the trajectories.
 */
export interface ScoresAtStep {
  readonly step: number;
  readonly referenceKind: ReferenceKind;
  /** Means over seeds. */
  readonly bias: number;
  readonly variance: number;
  readonly mse: number;
  readonly cosine: number;
  /** Mean over seeds of each seed's `biasStdErr` (one seed's sampling scale of `bias`). */
  readonly biasStdErr: number;
  /** Standard errors of the four means over seeds; absent with one seed. */
  readonly stdErrOverSeeds?: { readonly bias: number; readonly variance: number; readonly mse: number; readonly cosine: number };
  /** Each seed's scores, in training-seed order. */
  readonly seeds: readonly SeedScoresAtStep[];
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
  /** The settings the cell trained with, once the command line and the suite's defaults are merged (absent in older files). */
  readonly trainingSettings?: {
    readonly optimizer: OptimizerId; readonly learningRate: number; readonly samplesPerStep: number;
    /** What the parameters and Adam's state were trained in (absent in files from before float32 training: float64). */
    readonly precision?: TrainingPrecision;
  };
  /**
   * Gradient scores at the `--score-at` steps of the training runs, in step order; absent without
   * `--score-at` and where the suite has no reference along training (a data suite without one).
   */
  readonly scoresAlongTraining?: readonly ScoresAtStep[];
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

/** A group of fields that is either wholly present or wholly absent. */
type Absent<T> = { readonly [K in keyof T]?: never };

/**
 * The scores of a completed cell. The gradient scores are absent as a group when the suite has no
 * reference gradient (never faked); the training result is absent as a group with `--steps 0`; the
 * timing is absent with `--timing-iterations 0`. Read the groups with `gradientScores` and `trainingResult`.
 */
export type CellMetrics = Partial<TimingScores> & (GradientScores | Absent<GradientScores>) & (TrainingResult | Absent<TrainingResult>);

/** The gradient scores of a cell's metrics, or undefined when the suite has no reference gradient. */
export function gradientScores(metrics: CellMetrics): GradientScores | undefined {
  return metrics.bias === undefined ? undefined : (metrics as GradientScores);
}

/** The training result of a cell's metrics, or undefined when the run did not train (`--steps 0`). */
export function trainingResult(metrics: CellMetrics): TrainingResult | undefined {
  return metrics.finalLoss === undefined ? undefined : (metrics as TrainingResult);
}

/**
 * How a cell ran on its backend: `fused`, the kernel problem compiled into one loop per cell; `staged`,
 * hard-node stages between the problem's other stages (networks, ONNX objectives, and kernel problems of
 * a node kind the backend does not fuse, such as categorical-toy on the GPU).
 */
export const cellExecutions = ['fused', 'staged'] as const;
export type CellExecution = (typeof cellExecutions)[number];

/** What reports need to know of a cell's estimator, recorded with the cell so that reports never read a registry. */
export interface EstimatorTraits {
  readonly family: EstimatorFamily;
  readonly claimsUnbiased: boolean;
  /** Objective evaluations per estimate at the cell's parameters: the cost unit of equal-cost comparisons. */
  readonly evaluations: number;
}

/** The SHA-256 of the code a cell or series ran, one for its estimator and one for its suite. */
export interface CellCodeHashes {
  readonly estimator: string;
  readonly suite: string;
}

interface CellIdentity {
  /** Stable hash of everything that determines the cell's numbers (see `harness/cell-key.ts`). */
  readonly key: string;
  readonly suite: string;
  readonly estimator: string;
  /** Backend id as requested (`cpu`, `gpu`). */
  readonly backend: string;
  /** What actually ran, e.g. `gpu:headlessgl`; absent when the backend could not start. */
  readonly backendMode?: string;
  /** Seed of every random stream of the cell. */
  readonly seed: number;
  readonly samples: number;
  /** The cell's own suite and estimator parameters (a grid has several cells per estimator). */
  readonly suiteParams: ParameterValues;
  readonly estimatorParams: ParameterValues;
  /**
   * The kind of the problem's hard node (`bernoulli`, `categorical`, `deterministic`), so that reports
   * group and label scores by node kind; absent in files written before it was recorded, and when the
   * problem could not be built.
   */
  readonly nodeKind?: NodeKind;
  /**
   * What the problem records beside its parameters: a kernel problem's starting logits (`logits`, where
   * gradients are scored and training starts) and any values it derives (bernoulli-quadratic's A and c).
   */
  readonly problemParams?: Readonly<Record<string, number | number[] | string>>;
  /** How the cell ran (see `CellExecution`); absent in files written before it was recorded, and when the cell was not prepared. */
  readonly execution?: CellExecution;
  /** The estimator's family, claim and cost (absent in results written before they were recorded). */
  readonly estimatorTraits?: EstimatorTraits;
  /** SHA-256 of the estimator's and the suite's code (see `CodeProvenance`; absent in results written before it was recorded). */
  readonly codeSha256?: CellCodeHashes;
  /** The estimator's own state values (see EstimatorState; absent for stateless estimators and in older files). */
  readonly estimatorState?: EstimatorStateRecord;
  /** Wall time of the cell in milliseconds. */
  readonly elapsedMs: number;
}

/** A stateful estimator's state values by name, where the cell scored it and where each training run ended. */
export interface EstimatorStateRecord {
  /** The values the gradient scores were drawn with (the initial ones, scores being taken at the start). */
  readonly atScoring: Readonly<Record<string, number>>;
  /** The values after the last training step, one entry per training seed (absent with `--steps 0`). */
  readonly afterTraining?: ReadonlyArray<Readonly<Record<string, number>>>;
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

/** What identifies a sweep series: one estimator (at one set of its parameters) x backend. */
interface SeriesIdentity {
  /** Stable hash of everything that determines the series' numbers. */
  readonly key: string;
  readonly estimator: string;
  readonly estimatorParams: ParameterValues;
  readonly backend: string;
  readonly backendMode?: string;
  /** SHA-256 of the estimator's and the suite's code (absent in results written before it was recorded). */
  readonly codeSha256?: CellCodeHashes;
  readonly state: CellState;
  readonly error?: string;
}

/** Scores of one estimator x backend at each logit of the logit sweep (arrays align with `LogitSweep.logits`). */
export interface LogitSweepSeries extends SeriesIdentity {
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
  readonly params: ParameterValues;
  readonly samples: number;
  readonly logits: number[];
  readonly series: LogitSweepSeries[];
}

/** Time of one batch of estimates as the batch size or the dimension grows, for one estimator x backend. */
export interface ScalingSeries extends SeriesIdentity {
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

/** Shard `index` of `count` (1-based, as `--shard 2/3`). */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

/** A run whose cells were merged into these results (`npm run report -- --merge`). */
export interface MergedRun {
  readonly dir: string;
  readonly createdAt: string;
  readonly state: RunState;
  readonly shard?: ShardSpec;
  readonly cells: number;
  readonly cpus: string;
  readonly cpuCount: number;
  readonly threads: number;
}

/**
 * `complete`: every planned cell has a result; `interrupted`: SIGINT/SIGTERM stopped the run and
 * only the finished cells are here (`--resume` completes it); `incomplete`: a merge lacks cells.
 */
export type RunState = 'complete' | 'interrupted' | 'incomplete';

/** What part of the plan these results cover, and whether all of it finished. */
export interface RunRecord {
  readonly state: RunState;
  /** The shard of the plan this run covered (absent: the whole plan). */
  readonly shard?: ShardSpec;
  /** Cells (and sweep series) planned for this run, its shard only. */
  readonly plannedCells: number;
  /** Of those, how many an earlier run in the same directory had finished (`--resume`). */
  readonly resumedCells: number;
  /** The signal that stopped an interrupted run. */
  readonly interruptedBy?: 'SIGINT' | 'SIGTERM';
  /** Labels of planned cells without a result (interrupted runs, merges with gaps). */
  readonly missingCells: readonly string[];
  /** The runs merged into these results. */
  readonly mergedFrom?: readonly MergedRun[];
}

/** Version of the results.json layout written now; `report` also reads version 1. */
export const resultsSchemaVersion = 2 as const;

/** The results object: plain JSON, the only input of reporters. */
export interface BenchResults {
  readonly schemaVersion: typeof resultsSchemaVersion;
  readonly createdAt: string;
  readonly run: RunRecord;
  readonly env: RunEnvironment;
  readonly config: BenchConfig;
  /** In plan order, whatever order they ran in (shards, resumed runs): equal plans give equal files. */
  readonly cells: readonly CellResult[];
  /** Extra measurements requested with `--sweep`; absent when not requested. */
  readonly sweeps?: { readonly logit?: LogitSweep };
  readonly scaling?: ScalingResults;
}

/**
 * Progress events the runner emits; reporters decide how (or whether) to show them. `cost` and
 * `costToRun` are expected costs in the planner's units (see `expectedCost` in harness/shards.ts), so
 * that the time left follows the work left rather than the number of cells.
 */
export type ProgressEvent =
  | { readonly kind: 'plan'; readonly total: number; readonly alreadyDone: number; readonly shard?: ShardSpec; readonly costToRun?: number }
  | { readonly kind: 'cell-start'; readonly index: number; readonly total: number; readonly label: string; readonly cost?: number }
  | {
    readonly kind: 'cell-end'; readonly index: number; readonly total: number; readonly label: string; readonly state: CellResult['state'];
    readonly error?: string; readonly cost?: number;
  }
  | { readonly kind: 'backend'; readonly report: BackendReport };

/** `2/3` for shard 2 of 3. */
export function formatShard(shard: ShardSpec): string {
  return `${shard.index}/${shard.count}`;
}
