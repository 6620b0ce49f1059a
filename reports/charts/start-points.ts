/** Cells of the teacher-student suite grouped by the point they start from (a grid over startNear and anchor gives several). */
import type { ParameterValues } from '../../core/parameters.js';
import { gradientScores, type BenchResults, type GradientScores } from '../../core/types.js';
import { estimatorGroups, shownCells, variantLabel, type CompletedCell } from '../cells.js';

export const teacherStudentSuite = 'teacher-student';

/** What a reader calls the starting point of a teacher-student cell. */
export function startPointLabel(params: ParameterValues): string {
  const near = Number(params.startNear ?? 0);
  const percent = `${Number((near * 100).toPrecision(3))}%`;
  if (Number(params.anchor ?? 0) === 1) return near > 0 ? `local minimum + ${percent}` : 'local minimum';
  return near > 0 ? `teacher + ${percent}` : `random start (seed ${params.startSeed})`;
}

/** A cell as a chart shows it: its series label (the estimator, and the backend where backends differ), its colour key, its scores. */
export interface ShownCell {
  readonly cell: CompletedCell;
  readonly label: string;
  /** The estimator variant, which picks the colour. */
  readonly colourKey: string;
  readonly scores: GradientScores | undefined;
}

/**
 * Completed teacher-student cells by starting point (in order of first appearance), each shown once
 * per estimator unless a backend's scores differ beyond noise, as the other charts do.
 */
export function cellsByStartPoint(results: BenchResults): Map<string, ShownCell[]> {
  const byPoint = new Map<string, CompletedCell[]>();
  for (const cell of results.cells) {
    if (cell.state !== 'completed' || cell.suite !== teacherStudentSuite) continue;
    const label = startPointLabel(cell.suiteParams);
    byPoint.set(label, [...(byPoint.get(label) ?? []), cell]);
  }
  return new Map([...byPoint].map(([point, cells]) => [point, estimatorGroups(results, cells).flatMap((group) => shownCells(group).map(({ cell, differs }) => ({
    cell,
    label: differs.length > 0 ? `${group.label} (${cell.backend})` : group.label,
    colourKey: variantLabel(results, cell.estimator, cell.estimatorParams),
    scores: gradientScores(cell.metrics),
  })))]));
}

/**
 * The part of a cell's mean coarse gradient and population gradient with respect to w (the first n
 * entries, where the straight-through proxy acts; ∂/∂v is exact for every STE), with the per-entry
 * variance of the mean.
 */
export function weightPart(cell: CompletedCell, scores: GradientScores): { mean: number[]; exact: number[]; meanVariance: number[] } {
  const n = Number(cell.suiteParams.n);
  return {
    mean: scores.meanGradient.slice(0, n),
    exact: scores.exactGradient.slice(0, n),
    meanVariance: scores.varianceByUnit.slice(0, n).map((variance) => variance / cell.samples),
  };
}

function dot(left: readonly number[], right: readonly number[]): number {
  return left.reduce((total, value, index) => total + value * right[index], 0);
}

/**
 * Cosine of the mean with the exact vector and its standard error by the delta method (entries
 * treated as independent); null where either vector is zero.
 */
export function cosineWithStdErr(mean: number[], exact: number[], meanVariance: number[]): { value: number; stdErr: number } | null {
  const meanNorm = Math.sqrt(dot(mean, mean));
  const exactNorm = Math.sqrt(dot(exact, exact));
  if (!(meanNorm > 0) || !(exactNorm > 1e-12)) return null;
  const value = dot(mean, exact) / (meanNorm * exactNorm);
  // ∂cos/∂mean_i = exact_i/(|mean||exact|) − cos·mean_i/|mean|².
  const variance = mean.reduce((total, entry, index) => {
    const slope = exact[index] / (meanNorm * exactNorm) - (value * entry) / (meanNorm * meanNorm);
    return total + slope * slope * meanVariance[index];
  }, 0);
  return { value, stdErr: Math.sqrt(variance) };
}

/** The norm of the mean and its standard error (delta method; near zero it is the noise floor). */
export function normWithStdErr(mean: number[], meanVariance: number[]): { value: number; stdErr: number } {
  const value = Math.sqrt(dot(mean, mean));
  const noiseFloor = Math.sqrt(meanVariance.reduce((total, variance) => total + variance, 0));
  if (!(value > 0)) return { value, stdErr: noiseFloor };
  const variance = mean.reduce((total, entry, index) => total + (entry / value) ** 2 * meanVariance[index], 0);
  return { value, stdErr: Math.max(Math.sqrt(variance), value < noiseFloor ? noiseFloor : 0) };
}
