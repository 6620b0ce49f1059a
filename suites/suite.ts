import type { KernelFunction, NodeKind } from '../estimators/estimator.js';
import type { ParameterSpecs, ParameterValues } from '../harness/parameters.js';

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

/** A concrete problem built from resolved suite parameters. */
export interface Problem {
  /** Number of elements (units) of the node. */
  readonly dim: number;
  readonly nodeKind: NodeKind;
  /** Logits at which gradients are scored and from which training starts. */
  readonly initialLogits: Float64Array;
  readonly objective: ObjectiveKernels;
  /** d E[L] / d theta, exact (closed form or enumeration). */
  exactGradient(logits: Float64Array): Float64Array;
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
  /** Builds the problem; `params` are complete and validated. */
  create(params: ParameterValues): Problem;
}

/** Identity helper that type-checks a suite definition and freezes it. */
export function defineSuite(definition: SuiteDefinition): SuiteDefinition {
  return Object.freeze(definition);
}
