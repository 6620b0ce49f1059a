/** Selections, labels and groupings of cells that several reports share. */
import type { NodeKind } from '../core/estimator.js';
import { formatParameters, varyingNames, type ParameterValues } from '../core/parameters.js';
import { gradientScores, trainingResult, type BenchResults, type CellResult } from '../core/types.js';
import { varianceStdErr } from './uncertainty.js';

/** A cell with scores. */
export type CompletedCell = Extract<CellResult, { state: 'completed' }>;

/** Completed cells of one suite, in run order. */
export function completedCells(results: BenchResults, suite: string): CompletedCell[] {
  return results.cells.filter((cell): cell is CompletedCell => cell.state === 'completed' && cell.suite === suite);
}

/** Number of backends in the run, to decide whether labels need the backend. */
export function backendCount(results: BenchResults): number {
  return new Set(results.cells.map((cell) => cell.backend)).size;
}

function varying(values: ParameterValues, names: readonly string[]): string {
  return names.length > 0 ? formatParameters(Object.fromEntries(names.map((name) => [name, values[name]])), ' ') : '';
}

/** An estimator with the parameters that vary in the run, e.g. `gumbel-softmax tau=0.5` (sweep series are labelled so). */
export function variantLabel(results: BenchResults, estimator: string, estimatorParams: ParameterValues): string {
  const params = varying(estimatorParams, varyingNames(results.config.estimatorParams[estimator]));
  return params ? `${estimator} ${params}` : estimator;
}

/** The estimator of a cell with the parameters (and seed) that vary in the run, e.g. `gumbel-softmax tau=0.5 seed 2`. */
export function estimatorLabel(results: BenchResults, cell: Pick<CellResult, 'estimator' | 'estimatorParams' | 'seed'>): string {
  const label = variantLabel(results, cell.estimator, cell.estimatorParams);
  return results.config.seeds.length > 1 ? `${label} seed ${cell.seed}` : label;
}

/** The suite parameters that vary in the run, e.g. `dim=64`; empty when none does. */
export function suiteVariantLabel(results: BenchResults, cell: Pick<CellResult, 'suite' | 'suiteParams'>): string {
  return varying(cell.suiteParams, varyingNames(results.config.suiteParams[cell.suite]));
}

/** One suite at one setting of its varying parameters: a table, a ranking and a chart each. */
export interface SuiteVariant {
  readonly suite: string;
  /** `dim=64`, or empty when the suite's parameters do not vary. */
  readonly variant: string;
  /** The hard node's kind, when the cells record it (results files before it was recorded do not). */
  readonly nodeKind?: NodeKind;
  /** `bernoulli-toy dim=64 · Bernoulli nodes`: scores of different node kinds are never shown together. */
  readonly title: string;
  /** Safe in a file name: `bernoulli-toy` or `bernoulli-toy-dim-64`. */
  readonly slug: string;
  readonly cells: readonly CellResult[];
}

/** `Bernoulli nodes`, or `categorical nodes, K = 6` where the suite records its classes (codes of a vector-quantized node). */
export function nodeKindLabel(kind: NodeKind, suiteParams: ParameterValues): string {
  switch (kind) {
    case 'bernoulli':
      return 'Bernoulli nodes';
    case 'deterministic':
      return 'deterministic nodes';
    case 'categorical':
      return suiteParams.classes === undefined ? 'categorical nodes' : `categorical nodes, K = ${suiteParams.classes}`;
    case 'vector-quantized':
      return suiteParams.codes === undefined ? 'vector-quantized nodes' : `vector-quantized nodes, K = ${suiteParams.codes}`;
  }
}

/** Longest slug kept whole: chart file names (`bias-variance-<slug>.png`) stay far below the 255 bytes file systems allow. */
export const maxSlugLength = 120;

/**
 * A slug cut to `maxSlugLength`, its end replaced by a hash of the whole (FNV-1a, 8 hex digits) so
 * that slugs which differ only past the cut stay distinct.
 */
export function boundedSlug(slug: string): string {
  if (slug.length <= maxSlugLength) return slug;
  let hash = 0x811c9dc5;
  for (let index = 0; index < slug.length; index++) hash = Math.imul(hash ^ slug.charCodeAt(index), 0x01000193) >>> 0;
  return `${slug.slice(0, maxSlugLength - 9)}-${hash.toString(16).padStart(8, '0')}`;
}

/**
 * The run's cells by suite, suite setting and node kind, in run order. A suite whose setting changes
 * the node kind (`onnx` with `node`) gets one variant per kind, so that charts and rankings compare
 * estimators on one node kind only.
 */
export function suiteVariants(results: BenchResults): SuiteVariant[] {
  const groups = new Map<string, SuiteVariant & { cells: CellResult[] }>();
  for (const suite of results.config.suites) {
    const cells = results.cells.filter((candidate) => candidate.suite === suite);
    const kindsOfSuite = new Set(cells.map((cell) => cell.nodeKind));
    for (const cell of cells) {
      const variant = suiteVariantLabel(results, cell);
      const id = `${suite}\u0000${variant}\u0000${cell.nodeKind ?? ''}`;
      if (!groups.has(id)) {
        const kindSlug = kindsOfSuite.size > 1 && cell.nodeKind ? `-${cell.nodeKind}` : '';
        const slug = boundedSlug(`${variant ? `${suite}-${variant}` : suite}${kindSlug}`.replace(/[^A-Za-z0-9_.-]+/g, '-'));
        const setting = variant ? `${suite} ${variant}` : suite;
        const title = cell.nodeKind ? `${setting} · ${nodeKindLabel(cell.nodeKind, cell.suiteParams)}` : setting;
        groups.set(id, { suite, variant, ...(cell.nodeKind ? { nodeKind: cell.nodeKind } : {}), title, slug, cells: [] });
      }
      groups.get(id)!.cells.push(cell);
    }
  }
  return [...groups.values()];
}

/** The same estimator (at the same parameters and seed) on each backend of the run. */
export interface EstimatorGroup {
  readonly label: string;
  readonly estimator: string;
  /** Completed cells, in run order (seeds, then backends); the first is the one reports show. */
  readonly cells: readonly CompletedCell[];
}

/**
 * Completed cells grouped by estimator variant across backends, in run order; with `acrossSeeds`, the
 * seeds of a seed grid fall in one group too (a ranking ranks estimators, not seeds).
 */
export function estimatorGroups(results: BenchResults, cells: readonly CellResult[], acrossSeeds = false): EstimatorGroup[] {
  const groups = new Map<string, EstimatorGroup & { cells: CompletedCell[] }>();
  for (const cell of cells) {
    if (cell.state !== 'completed') continue;
    const label = acrossSeeds ? variantLabel(results, cell.estimator, cell.estimatorParams) : estimatorLabel(results, cell);
    if (!groups.has(label)) groups.set(label, { label, estimator: cell.estimator, cells: [] });
    groups.get(label)!.cells.push(cell);
  }
  return [...groups.values()];
}

/** Backends agree on a score unless they differ by more than this many combined standard errors. */
export const backendNoiseK = 4;

/**
 * The scores in which a cell differs from the group's first cell beyond noise (|a − b| > 4 combined
 * standard errors; the backends see the same noise, so they should agree to float32 precision), by name.
 */
export function backendDifferences(first: CompletedCell, other: CompletedCell): string[] {
  const differences: string[] = [];
  const differ = (a: number, b: number, seA: number, seB: number) => Math.abs(a - b) > backendNoiseK * Math.hypot(seA, seB) + 1e-9 * Math.abs(a);
  const [ga, gb] = [gradientScores(first.metrics), gradientScores(other.metrics)];
  if (ga && gb) {
    if (differ(ga.bias, gb.bias, ga.biasStdErr, gb.biasStdErr)) differences.push('bias');
    if (differ(ga.variance, gb.variance, varianceStdErr(ga, first.samples), varianceStdErr(gb, other.samples))) differences.push('variance');
  }
  const [ta, tb] = [trainingResult(first.metrics), trainingResult(other.metrics)];
  if (ta && tb && differ(ta.finalLoss, tb.finalLoss, ta.finalLossStdErr, tb.finalLossStdErr)) differences.push('final loss');
  return differences;
}

/** The cells of a group the reports show: the first, and any other backend whose scores differ from it beyond noise. */
export function shownCells(group: EstimatorGroup): Array<{ readonly cell: CompletedCell; readonly differs: readonly string[] }> {
  const [first, ...others] = group.cells;
  return [
    { cell: first, differs: [] },
    ...others.map((cell) => ({ cell, differs: backendDifferences(first, cell) })).filter((entry) => entry.differs.length > 0),
  ];
}
