import type { EstimatorDefinition, KernelFunction, NodeKind } from './estimator.js';
import type { ParameterSpecs, ParameterValues } from './parameters.js';
import type { Rng } from './rng.js';
import type { OptimizerId, ReferenceKind } from './types.js';

/**
 * The objective L(h) as kernel functions over the batch of node outputs `h` (rows are samples or
 * evaluations, columns are elements):
 * - `value(h, row, dim, ...constants)` → L for one row;
 * - `gradient(h, row, element, dim, ...constants)` → dL/dh for one element of one row.
 * Arguments are bound by name: a kernel declares the ones it reads (`h`, `row`, `element`, `dim` and
 * the names of `constants`), in any order.
 */
export interface ObjectiveKernels {
  readonly value: KernelFunction;
  readonly gradient: KernelFunction;
  /** Named numbers the kernels may declare (for example `{ target: 0.45 }`), inlined as literals. */
  readonly constants: Readonly<Record<string, number>>;
  readonly helpers?: readonly KernelFunction[];
  /**
   * Declares L(h) a sum of per-element terms, so that `gradient(h, row, element)` reads h only at
   * [row][element]: a backend may then compute each element's dL/dh right after its forward value, in
   * the same pass (the CPU backend's one-pass loop). Leave it unset when dL/dh of one element reads
   * others; the backends then finish the whole row before any gradient.
   */
  readonly separable?: boolean;
}

/**
 * A concrete problem built from resolved suite parameters, with a kernel objective: the logits are
 * the trained parameters and every stage is a kernel, so a backend can fuse the cell into one loop
 * (the CPU backend does for every node kind); a backend that does not fuse the node kind runs the same
 * problem as stages (`harness/kernel-problem-stages.ts`), with the same noise and so the same numbers.
 */
export interface Problem {
  readonly kind?: 'kernel';
  /** Number of elements of the node: its units, or units · K for a categorical node (unit-major). */
  readonly dim: number;
  readonly nodeKind: NodeKind;
  /**
   * Classes per unit (K) of a categorical node, which then has dim / K units. The objective kernels
   * see the flat element index (unit · K + class) as `element`.
   */
  readonly classes?: number;
  /** Logits at which gradients are scored and from which training starts. */
  readonly initialLogits: Float64Array;
  readonly objective: ObjectiveKernels;
  /** d E[L] / d theta, exact (closed form or enumeration). */
  exactGradient(logits: Float64Array): Float64Array;
  /** How `exactGradient` is obtained (default closed-form). */
  readonly referenceKind?: Exclude<ReferenceKind, 'monte-carlo'>;
  /** Values to record in the cell's params beyond the suite parameters (an objective's matrix). */
  readonly recordedParams?: Readonly<Record<string, number | number[] | string>>;
  /** E[L] at these logits, exact; the training loss. */
  exactLoss(logits: Float64Array): number;
}

/** A benchmark problem family with its parameters. */
export interface SuiteDefinition {
  /** Registry key, kebab-case. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly nodeKind: NodeKind;
  readonly params: ParameterSpecs;
  /**
   * Whether a run without `--suite` includes this suite (default true). Suites that need input from
   * the user (an ONNX model) or minutes of training on real data run only when named.
   */
  readonly inDefaultRun?: boolean;
  /**
   * The kinds of reference gradient the suite's problems are scored against, for documentation and
   * listings (the README's suite table is generated from it): one kind, two when a parameter decides
   * (an ONNX model enumerated or sampled), and empty when there is no reference and so no gradient
   * scores. What a cell actually used is its `metrics.referenceKind`.
   */
  readonly referenceKinds?: readonly ReferenceKind[];
  /**
   * Why an estimator can never run on this suite, decided from the definitions alone (for example a
   * network whose hard nodes see only dL/dh), or null. The planner leaves such pairs out of a run; a
   * limit that depends on the suite's input (an ONNX model) stays on the problem (`unsupportedReason`).
   */
  unsupportedReason?(estimator: EstimatorDefinition, estimatorParams: ParameterValues): string | null;
  /**
   * What is wrong with a combination of valid parameters (one line naming the fix), or null: checked
   * for every grid point before a run, as bad input (exit 2). For limits no single parameter's range
   * can state, such as K^D sequences to enumerate.
   */
  paramsProblem?(params: ParameterValues): string | null;
  /** Builds the problem; `params` are complete and validated. */
  create(params: ParameterValues): Problem | StagedProblem;
}

/** Identity helper that type-checks a suite definition and freezes it. */
export function defineSuite(definition: SuiteDefinition): SuiteDefinition {
  return Object.freeze(definition);
}

/** What a gradient is scored against, and how it was obtained (reports label it). */
export interface ReferenceGradient {
  readonly kind: ReferenceKind;
  readonly gradient: Float64Array;
  /** Per-entry standard error of a Monte Carlo reference (absent for exact ones). */
  readonly stdErr?: Float64Array;
}

/** The training loss at a point, and any further evaluation (test loss, test accuracy). */
export interface ProblemEvaluation {
  readonly loss: number;
  readonly metrics?: Readonly<Record<string, number>>;
}

/** Per-suite training settings, used where the user did not set them on the command line. */
export interface TrainingDefaults {
  readonly learningRate?: number;
  readonly optimizer?: OptimizerId;
  /** Estimates averaged per step (one minibatch gradient is one estimate for the data suites). */
  readonly samplesPerStep?: number;
  /** Most points a training curve records (each costs an `evaluate`; a network on a data set makes it expensive). */
  readonly curvePoints?: number;
}

/**
 * Batched numeric operations a backend offers to staged problems: the model layers run on these, so
 * the same network runs on every backend. Arrays are row-major float32.
 */
export interface TensorOps {
  /**
   * C[m × n] = op(A) · op(B), where op(A) is m × k (A stored k × m when `transposeA`) and op(B) is
   * k × n (B stored n × k when `transposeB`).
   */
  matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number, options?: { transposeA?: boolean; transposeB?: boolean }): Promise<Float32Array>;
  /**
   * Optional: the Bernoulli log-loss with logits of `rows` rows of `width`: per row Σ softplus(z) − x·z
   * (float32 terms summed in float64) and σ(z) − x per element (float32), on the backend's vectorised
   * kernels. Null when it cannot run here (the caller then runs its own float64 loop).
   */
  bernoulliLogitLoss?(logits: Float32Array, targets: Float32Array, rows: number, width: number): Promise<{ negativeLogLikelihood: Float64Array; logitGradient: Float32Array } | null>;
}

/**
 * One hard node of a staged cell, running the cell's estimator on a backend over a batch of rows of
 * logits (one row per sample; `width` elements per row). Noise is drawn from the same chunked streams
 * as a fused cell's, so a staged and a fused cell with the same rows give the same estimates.
 */
export interface HardNodeStage {
  readonly width: number;
  /** Objective evaluations per estimate (h rows per logit row). */
  readonly evaluations: number;
  /**
   * The estimator's forward pass: h for every (row, evaluation), [rows · evaluations × width], row
   * index = row · evaluations + evaluation. `logits` is [rows × width].
   */
  forward(logits: Float64Array, rows: number, rng: Rng, step: number): Promise<HardNodeForward>;
  /**
   * dL/dlogits [rows × width] from the forward pass, the objective value of every h row (when the
   * estimator needs it), dL/dh of every h row (when it needs that), and a per-element baseline.
   */
  backward(pass: HardNodeForward, objectives: Float64Array | null, objectiveGradient: Float64Array | null, baseline: Float64Array | null, step: number): Promise<Float64Array>;
  /** Pilot sums for the estimator's baseline: per element, sum of w·L and sum of w over the rows. */
  baselineSums(pass: HardNodeForward, objectives: Float64Array, step: number): Promise<{ weightedObjective: Float64Array; weight: Float64Array }>;
  dispose(): void;
}

/** A forward pass of a hard node, kept for its backward pass. */
export interface HardNodeForward {
  readonly rows: number;
  readonly logits: Float64Array;
  /** h for every (row, evaluation): [rows · evaluations × width]. */
  readonly h: Float64Array;
  /** Backend-private state (the noise drawn, device buffers). */
  readonly state: unknown;
}

/**
 * The hard op of a deterministic node, chosen by the suite (a step, sign, a k-bit quantizer): a kernel
 * function computing h from one element's pre-activation, `op(theta, ...constants)`, its arguments bound
 * by name from `theta`, `unit`, `dim` and the names of `constants`. The estimator supplies only the
 * backward rule (the proxy derivative in its `gradient` kernel), never the op.
 */
export interface HardOp {
  /** Short name for messages and results (`step`, `sign`, `quantizer`). */
  readonly id: string;
  readonly kernel: KernelFunction;
  /** Named numbers the kernel may declare (for example `{ levels: 3 }`), inlined as literals. */
  readonly constants: Readonly<Record<string, number>>;
}

/** How a staged problem wants one of its hard nodes built. */
export interface HardNodeOptions {
  /** Classes per unit (K) of a categorical node. */
  readonly classes?: number;
  /** The op of a deterministic node (required for `deterministic` nodes, which draw no noise). */
  readonly op?: HardOp;
  /**
   * Categorical nodes only: each of a row's evaluations has logits of its own, so `forward` takes
   * logits [rows · evaluations × width] (row index = row · evaluations + evaluation, as h) and `backward`
   * returns dL/dlogits in that shape, each evaluation's own share of the estimate (what the
   * estimator's kernel adds for that evaluation), not their sum. For a policy whose later positions'
   * logits depend on each group member's own earlier tokens (an autoregressive policy), while the group
   * reductions (the advantages) stay the estimator's. Default false: the evaluations share the row's logits.
   */
  readonly logitsPerEvaluation?: boolean;
}

/** What a staged problem receives when a cell compiles it on a backend. */
export interface StagedContext {
  readonly ops: TensorOps;
  /**
   * New tensor operations on the host with `threads` threads, whatever the cell's backend: for work whose
   * numbers must not depend on the backend (a VAE's fixed point and reference). The caller disposes them.
   */
  createHostOps(threads: number): TensorOps & { dispose(): Promise<void> };
  /**
   * A hard node of `width` elements per row running the cell's estimator on the cell's backend: for
   * categorical nodes `options.classes` is K, and a row holds width / K units of K classes
   * (unit-major); a deterministic node computes h with `options.op` and backpropagates with the
   * estimator's proxy.
   */
  hardNode(width: number, options?: HardNodeOptions): HardNodeStage;
  /** The cell's estimator (its metadata: needs, evaluations, baseline). */
  readonly estimator: EstimatorDefinition;
  readonly estimatorParams: ParameterValues;
  /** Largest number of estimates one `estimates` call will be asked for. */
  readonly batchSize: number;
}

/** What the objective stage returns for every row of h. */
export interface ObjectiveValues {
  /** L of every h row ([rows · evaluations]). */
  readonly value: Float64Array;
  /** dL/dh of every h row ([rows · evaluations × width]), when it was asked for. */
  readonly gradient: Float64Array | null;
}

/** A staged problem compiled for one cell. */
export interface StagedEstimates {
  /**
   * `count` independent single estimates of the gradient of the loss with respect to the trained
   * parameters at `params`, as a [count × parameters] row-major array. `step` is the training step
   * (0 when scoring), handed to the estimator's kernels. The array is the caller's: a fresh one per
   * call, never a buffer the problem writes again (the moments of one estimate are its row itself).
   */
  estimates(params: Float64Array, count: number, rng: Rng, step: number): Promise<Float64Array>;
  /** The gradient estimates are scored against, at `params`; null when the suite has none (never faked). */
  referenceGradient(params: Float64Array): Promise<ReferenceGradient | null>;
  /** The training loss (and further metrics such as test accuracy) at `params`. */
  evaluate(params: Float64Array): Promise<ProblemEvaluation>;
  /**
   * Where gradient scores are taken when that is not the trained parameters at their start: a VAE
   * scores the estimator's gradient with respect to the encoder's logits on a fixed minibatch after
   * warm-up training. When set, its estimates and reference replace `estimates` and
   * `referenceGradient` for the gradient scores (training still uses `estimates`).
   */
  readonly scoring?: ScoringTarget;
  /**
   * The scoring target at trained parameters `params` along training (`--score-at`), its reference
   * recomputed there (a VAE's encoder-logit gradients of its scored images at these weights, against a
   * Monte Carlo reference). Needed only beside `scoring`: without `scoring`, scores along training use
   * `estimates` and `referenceGradient` at `params`; with `scoring` but without this, there are none.
   */
  scoringAt?(params: Float64Array): ScoringTarget;
  dispose(): void;
}

/** A vector other than the trained parameters whose gradient estimates are scored. */
export interface ScoringTarget {
  /** Length of the scored vector (for example minibatch × latent units). */
  readonly length: number;
  /**
   * `count` single estimates of the scored gradient: [count × length], a fresh array per call; `step`
   * is the training step the estimator's kernels see (0 at the start, the point's step along training).
   */
  estimates(count: number, rng: Rng, step?: number): Promise<Float64Array>;
  /** The reference they are scored against (a Monte Carlo reference carries its standard error), or null. */
  reference(): Promise<ReferenceGradient | null>;
}

/**
 * A problem that runs as stages over batch arrays: layers upstream of the hard node produce its
 * logits, the estimator's forward pass makes h, the objective (a network, an ONNX model) gives L and
 * dL/dh, the estimator's backward pass makes dL/dlogits, and backpropagation through the upstream
 * layers gives the gradient with respect to the trained parameters. `bernoulli-toy` is the degenerate
 * kernel case (no upstream layer, kernel objective), which the backends fuse into one loop instead.
 */
export interface StagedProblem {
  readonly kind: 'staged';
  readonly nodeKind: NodeKind;
  /** Trained parameters at the start: gradients are scored here and training starts here. */
  readonly initialParameters: Float64Array;
  readonly trainingDefaults?: TrainingDefaults;
  /** Values to record in the cell's params beyond the suite parameters (teacher weights, starting point). */
  readonly recordedParams?: Readonly<Record<string, number | number[] | string>>;
  /** Why this estimator cannot run on this problem (for example it needs objective values the model cannot give), or null. */
  unsupportedReason?(estimator: EstimatorDefinition): string | null;
  /** Compiles the problem for one cell. */
  prepare(context: StagedContext): StagedEstimates;
}

/** Whether a suite's problem runs as stages rather than as one kernel objective. */
export function isStagedProblem(problem: Problem | StagedProblem): problem is StagedProblem {
  return (problem as StagedProblem).kind === 'staged';
}
