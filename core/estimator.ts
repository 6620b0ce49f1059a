import type { EstimatorState } from './estimator-state.js';
import type { HostTerms } from './host-terms.js';
import type { ParameterSpecs, ParameterValues } from './parameters.js';
import type { VectorQuantizerRule } from './vector-quantizer.js';

/**
 * What a stochastic or hard node hands downstream, and so which shapes the kernels see.
 * - `bernoulli`: b ~ Bernoulli(p), p = sigmoid(theta), one logit per unit.
 * - `categorical`: one-hot over K classes per unit (softmax of K logits); elements are (unit, class) pairs.
 * - `deterministic`: a hard op of theta (step, sign, k-bit quantizer) with no noise.
 * - `vector-quantized`: the nearest of K trained codebook vectors to each latent vector of d numbers
 *   (VQ-VAE's bottleneck); its estimators are `vectorQuantizer` rules (core/vector-quantizer.ts).
 */
export const nodeKinds = ['bernoulli', 'categorical', 'deterministic', 'vector-quantized'] as const;
export type NodeKind = (typeof nodeKinds)[number];

/** How the estimator obtains a gradient. */
export const estimatorFamilies = ['pathwise-surrogate', 'score-function', 'relaxation'] as const;
export type EstimatorFamily = (typeof estimatorFamilies)[number];

/** Distribution of one noise draw per element, produced by the harness's seeded RNG. */
export const noiseKinds = ['uniform', 'normal'] as const;
export type NoiseKind = (typeof noiseKinds)[number];

/**
 * A kernel function: a named `function` declaration over numbers (and, for suite objectives, one array),
 * using only arithmetic, `Math.*`, `if`/ternaries and loops, with no closures or outer variables.
 * Backends compile its source: gpu.js to a shader, the CPU backend into a fused loop.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KernelFunction = (...args: any[]) => number;

/** A CPU-only kernel over a whole categorical unit that writes its results into an array (see `CategoricalKernels.unitForward`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type UnitKernelFunction = (...args: any[]) => void;

/**
 * The estimator's math, written once for every backend. Arguments are bound **by name**: a kernel
 * declares the parameters it reads, in any order, from the names below (and the estimator's own
 * parameters, by their names); an undeclared name is an error that lists the available ones.
 * - `forward(theta, p, u, v, evaluation, unit, step, dim, evaluations, ...params)` → h, the value
 *   handed downstream for one element.
 * - `gradient(` the same plus `h, dLdh, objective, objectiveSum, baseline)` → this evaluation's
 *   contribution to dL/dtheta for the element; the estimate is the sum over evaluations.
 * - `baselineWeight(` the forward's names plus `h)` → w; the per-unit baseline passed to `gradient` is
 *   c = E[w L] / E[w], estimated from an independent pilot batch at the same logits.
 * Here theta is the element's logit, p the node's probability (sigmoid(theta) for Bernoulli nodes),
 * u and v the element's noise draws (see `noise`; 0 when not declared), `evaluation` the index of the
 * evaluation (0 … evaluations − 1), `unit` the element's index in its row, `step` the training step
 * (0 when scoring; annealing schedules read it), `dim` the elements per row, `objective` the objective
 * value of this evaluation, `objectiveSum` the sum over all evaluations of the estimate (leave-one-out
 * and antithetic estimators use it), `objectives` the array of every evaluation's objective value of
 * this sample, evaluation e's at `objectives[objectivesStart + e]` (an estimator that treats the
 * evaluations differently, such as one evaluation at a sample and one at the mean-field point, reads
 * them by index), and `dLdh` the objective's derivative at h.
 *
 * Reductions across the units of one estimate (`rowTerm`): where an estimate needs a sum over every
 * element of the sample (MuProp's Taylor term f'(μ)ᵀ(b − μ)), `rowTerm(` the gradient's names`)` → a
 * number per element and evaluation; the harness sums it over the sample's elements and evaluations
 * before any gradient call and binds the sum to `gradient` as `rowTermSum` (0 when there is no
 * `rowTerm`). A term that pairs one evaluation's h with another's dL/dh reads the shared noise again
 * (evaluations share u and v unless `noisePerEvaluation`), as MuProp's does. Categorical kernels have
 * their own (`CategoricalKernels.rowTerm`), summed over every unit, class and evaluation of the row.
 */
export interface EstimatorKernels {
  readonly forward: KernelFunction;
  readonly gradient: KernelFunction;
  readonly baselineWeight?: KernelFunction;
  /** Optional per-element term whose sum over the sample's elements and evaluations `gradient` reads as `rowTermSum`. */
  readonly rowTerm?: KernelFunction;
}

/**
 * The estimator's math on **categorical** nodes (units of K classes, softmax over K logits, one-hot
 * samples). Each call still computes one element (one class of one unit of one row), but it reads the
 * whole unit: flat arrays are bound by name with the offset of the unit's first entry, so the class j
 * of this unit sits at `logits[unitStart + j]`. Names bound to categorical kernels:
 * - arrays: `logits` and `probabilities` (softmax of the unit's logits), both at `unitStart + j`;
 *   `exponentials`, this unit's standard exponential draws for this evaluation, at `noiseStart + n`
 *   for n < `exponentialsPerUnit`; and, in `gradient` only, `hValues` (the unit's h for this
 *   evaluation) at `hStart + j`, and `dLdhValues` at the same index when `needs.objectiveGradient`.
 * - scalars: `classIndex` (j of this element), `classes` (K), `unit` (the unit's index in its row),
 *   `theta` and `p` (this element's logit and probability), `evaluation`, `evaluations`, `step`, `dim`
 *   (elements per row, units · K), the estimator's parameters and its state values (see EstimatorState;
 *   host terms too, in `gradient`, see core/host-terms.ts); in `gradient` also `h` (this
 *   element's h), and, as the estimator's `needs` declare, `dLdh` (this element's dL/dh), `objective`,
 *   `objectiveSum`, and `objectives` at `objectivesStart + e` (as for element kernels).
 * `forward(...)` → h of the element; `gradient(...)` → this evaluation's contribution to dL/dtheta of
 * the element (the estimate sums them over evaluations). Layout everywhere: unit-major, element index
 * = unit · K + class. The same source runs in the CPU backend's loops and in gpu.js shaders, which
 * asks two things of it: every loop in a kernel needs its own counter name (gpu.js declares loop
 * counters at function scope), and a comparison may appear only inside a condition (no boolean variables).
 *
 * Why exponential draws E rather than Gumbels G = −log E: the Gumbel-max sample argmax_j (theta_j + G_j)
 * is the exponential race argmin_j E_j / pi_j, softmax((theta + G) / tau) is proportional to
 * (pi_j / E_j)^(1/tau), and Gumbel-Rao's conditional Gumbels are ratios of them, so the kernels need no
 * exp or log per draw (a pow only when 1/tau is not a whole number).
 */
export interface CategoricalKernels {
  /**
   * Standard exponential (Exp(1)) draws per unit (per evaluation when `noisePerEvaluation`), a number
   * or a function of the estimator's parameters and K: K for one sample, K · (1 + M) for a sample and M
   * conditional resamples (Gumbel-Rao). The harness draws them (`Rng.nextExponential`) from the cell's seeded
   * streams on the host, so every backend sees the same noise.
   */
  readonly exponentialsPerUnit: number | ((params: ParameterValues, classes: number) => number);
  readonly forward: KernelFunction;
  readonly gradient: KernelFunction;
  /**
   * Optional reduction across the units of one estimate, as `EstimatorKernels.rowTerm` is for element
   * kernels: `rowTerm(` the gradient's names, less `rowTermSum``)` → a number per element (unit, class)
   * and evaluation, reading its unit by name as `gradient` does; the harness sums it over every unit,
   * class and evaluation of the row before any gradient call, and binds the sum to `gradient` and
   * `unitGradient` as `rowTermSum` (0 without a `rowTerm`). MuProp's Taylor term f'(μ)ᵀ(D − μ) is such
   * a sum. Every backend runs it through its element form (there is no unit form of it).
   */
  readonly rowTerm?: KernelFunction;
  /**
   * Optional CPU fast path of `forward` for a whole unit: what the unit's K `forward` calls compute, with
   * the work they share (a normaliser, an argmax) done once. It writes h of class j to `out[outStart + j]`
   * and returns nothing. Bound by name like `forward`, less the per-element names (`classIndex`, `theta`,
   * `p`), plus `out`, `outStart` and `scratch` (a Float64Array of 2 · K numbers for the call's own use).
   * It must compute exactly what `forward` computes (the same operations in the same order, so the same
   * floating-point numbers): a conformance test holds it to that, and the GPU backend keeps running
   * `forward`, which therefore stays the definition.
   */
  readonly unitForward?: UnitKernelFunction;
  /**
   * Optional CPU fast path of `gradient` for a whole unit, as `unitForward` is of `forward`: it ADDS this
   * evaluation's contribution of class j to `out[outStart + j]` (the estimate sums over evaluations), with
   * exactly the numbers `gradient` returns. Less `h` and `dLdh`, which are per element.
   */
  readonly unitGradient?: UnitKernelFunction;
  /**
   * Optional CPU precomputation for the unit forms: K numbers of a unit that depend only on its logits,
   * `step` and the estimator's parameters (not on noise, h or the objective), such as ReinMax's
   * softmax(theta / tau). It writes them to `out[outStart + j]`; `unitForward` and `unitGradient` then
   * read them as `prepared`, at `unitStart + j`. Bound by name like `unitForward`, less the noise and
   * evaluation names. The CPU runs it once per row of logits: once per batch in a kernel problem's
   * fused loop (its samples share one row of logits, as a vectorised peer shares them), once per row in
   * a staged node. The element kernels recompute these numbers, so the unit forms must use the same
   * operations to stay exact (the conformance test holds them to it).
   */
  readonly unitPrepare?: UnitKernelFunction;
  /** Kernel functions these kernels call by name (declared in the estimator's own file, see `helpers`). */
  readonly helpers?: readonly KernelFunction[];
}

/** A gradient estimator plug-in: metadata beside the math. */
export interface EstimatorDefinition {
  /** Registry key, kebab-case. */
  readonly id: string;
  readonly title: string;
  /** Paper(s) the estimator comes from. */
  readonly citation: string;
  readonly family: EstimatorFamily;
  readonly nodeKinds: readonly NodeKind[];
  /** Whether E[estimate] equals the exact gradient of E[L]; tests hold the estimator to it. */
  readonly claimsUnbiased: boolean;
  /** Numeric parameters, passed to every kernel after the fixed arguments, in this order. */
  readonly params: ParameterSpecs;
  /** Noise draws per element, at most two (named u and v in the kernels). */
  readonly noise: readonly NoiseKind[];
  /**
   * Objective evaluations per estimate (1; 2 for antithetic pairs; k for leave-one-out), or a function
   * of the estimator's parameters when a parameter sets it (REINFORCE leave-one-out's `k`).
   */
  readonly evaluations: number | ((params: ParameterValues) => number);
  /**
   * Whether each evaluation draws its own noise (k independent samples, as leave-one-out needs) or all
   * evaluations share one draw (antithetic pairs such as ARM and DisARM). Default: shared.
   */
  readonly noisePerEvaluation?: boolean;
  /**
   * How many of the evaluations, the first ones, are draws of the node's distribution (default: all).
   * The others are auxiliary points (REBAR's relaxed values, MuProp's mean-field point) whose objective
   * feeds only the estimator's control variate: a staged problem takes the gradient of the layers after
   * the node, and the explicit ∂L/∂logits of its objective, from the draws alone, since averaging them
   * over an auxiliary point would bias both.
   */
  readonly sampleEvaluations?: number;
  /** What the gradient kernel reads from the objective; backends skip work that is not needed. */
  readonly needs: { readonly objective: boolean; readonly objectiveGradient: boolean };
  /** Pilot-batch size for the baseline; required when `kernels.baselineWeight` is set. */
  readonly baselinePilotSamples?: number;
  /**
   * Per-element kernels (Bernoulli and deterministic nodes). An estimator defined on categorical nodes
   * only sets `noElementKernels`.
   */
  readonly kernels: EstimatorKernels;
  /** Kernels for categorical nodes; required when `nodeKinds` includes 'categorical'. */
  readonly categoricalKernels?: CategoricalKernels;
  /** The rule at vector-quantized nodes; required when `nodeKinds` includes 'vector-quantized'. */
  readonly vectorQuantizer?: VectorQuantizerRule;
  /**
   * Kernel functions that the kernels call by name. Declare them in the estimator's own file:
   * module loaders rewrite calls to imported functions, which would break the compiled source.
   */
  readonly helpers?: readonly KernelFunction[];
  /**
   * Trainable state of the estimator's own (see `EstimatorState`): values its kernels read by name,
   * initialised per cell and updated once per training step. Absent: a stateless estimator.
   */
  readonly state?: EstimatorState;
  /**
   * Numbers computed on the host per batch, after the forward pass and before `gradient`, which reads
   * them by name (see core/host-terms.ts). Their names may not be parameter, state or reserved names.
   */
  readonly hostTerms?: HostTerms;
}

/**
 * Whether the estimator must run on the backends' hard-node stages rather than a fused loop: host terms
 * and updates that read the node's batches need the host to see each batch's noise.
 */
export function runsOnHardNodeStages(estimator: EstimatorDefinition): boolean {
  return estimator.hostTerms !== undefined || estimator.state?.needsNodeSamples === true;
}

/** Names the harness binds to kernel arguments; an estimator parameter may not take one of them. */
export const reservedKernelArgumentNames: readonly string[] = [
  'theta', 'p', 'u', 'v', 'evaluation', 'unit', 'step', 'dim', 'evaluations', 'h', 'dLdh', 'objective', 'objectiveSum', 'baseline',
  'objectives', 'objectivesStart', 'rowTermSum',
  'logits', 'probabilities', 'exponentials', 'hValues', 'dLdhValues', 'unitStart', 'noiseStart', 'hStart', 'classes', 'classIndex',
  'out', 'outStart', 'scratch', 'state',
];

/**
 * The `kernels` of an estimator defined on categorical or vector-quantized nodes only. They
 * are never compiled: the node-kind check refuses the estimator's Bernoulli and deterministic cells
 * before a backend sees them. Were that check bypassed, they return NaN, which fails the cell ("the
 * estimator produced NaN or Inf") rather than producing numbers.
 */
export const noElementKernels: EstimatorKernels = Object.freeze({
  forward: function noElementForward(): number {
    return NaN;
  },
  gradient: function noElementGradient(): number {
    return NaN;
  },
});

/** Exponential draws per categorical unit (per evaluation when each draws its own) at these parameters. */
export function exponentialsPerUnit(estimator: EstimatorDefinition, params: ParameterValues, classes: number): number {
  const kernels = estimator.categoricalKernels;
  if (!kernels) throw new Error(`${estimator.id} defines no categorical kernels`);
  const count = typeof kernels.exponentialsPerUnit === 'function' ? kernels.exponentialsPerUnit(params, classes) : kernels.exponentialsPerUnit;
  if (!Number.isInteger(count) || count < 0) throw new Error(`${estimator.id}: exponentialsPerUnit must be a whole number >= 0, got ${count}`);
  return count;
}

/** How many of an estimate's evaluations (the first ones) are draws of the node's distribution: see `sampleEvaluations`. */
export function sampleEvaluationCount(estimator: EstimatorDefinition, evaluations: number): number {
  const count = estimator.sampleEvaluations ?? evaluations;
  if (!Number.isInteger(count) || count < 1 || count > evaluations) throw new Error(`${estimator.id}: sampleEvaluations must be a whole number from 1 to its ${evaluations} evaluations, got ${count}`);
  return count;
}

/** Objective evaluations per estimate at these parameter values. */
export function evaluationCount(estimator: EstimatorDefinition, params: ParameterValues): number {
  const count = typeof estimator.evaluations === 'function' ? estimator.evaluations(params) : estimator.evaluations;
  if (!Number.isInteger(count) || count < 1) throw new Error(`${estimator.id}: evaluations must be a whole number >= 1, got ${count}`);
  return count;
}

/** Noise rows drawn per sample: one per evaluation, or one shared by all. */
export function noiseRowsPerSample(estimator: EstimatorDefinition, params: ParameterValues): number {
  return estimator.noisePerEvaluation ? evaluationCount(estimator, params) : 1;
}

/** Identity helper that type-checks an estimator definition and freezes it. */
export function defineEstimator(definition: EstimatorDefinition): EstimatorDefinition {
  return Object.freeze(definition);
}
