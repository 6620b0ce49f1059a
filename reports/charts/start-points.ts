/** Cells of the teacher-student suite grouped by the point they start from (a grid over startNear and anchor gives several). */
import type { BenchResults } from '../../harness/types.js';
import { completedCells, type CompletedCell } from '../cells.js';

export const teacherStudentSuite = 'teacher-student';

/** What a reader calls the starting point of a teacher-student cell. */
export function startPointLabel(params: Record<string, number | number[]>): string {
  const near = Number(params.startNear ?? 0);
  const percent = `${Number((near * 100).toPrecision(3))}%`;
  if (Number(params.anchor ?? 0) === 1) return near > 0 ? `local minimum + ${percent}` : 'local minimum';
  return near > 0 ? `teacher + ${percent}` : `random start (seed ${params.startSeed})`;
}

/** Completed teacher-student cells by starting point, in order of first appearance. */
export function cellsByStartPoint(results: BenchResults): Map<string, CompletedCell[]> {
  const groups = new Map<string, CompletedCell[]>();
  for (const cell of completedCells(results, teacherStudentSuite)) {
    const label = startPointLabel(cell.params);
    groups.set(label, [...(groups.get(label) ?? []), cell]);
  }
  return groups;
}

/**
 * The part of a cell's mean coarse gradient and population gradient with respect to w (the first n
 * entries, where the straight-through proxy acts; ∂/∂v is exact for every STE), with the per-entry
 * variance of the mean.
 */
export function weightPart(cell: CompletedCell): { mean: number[]; exact: number[]; meanVariance: number[] } {
  const n = Number(cell.params.n);
  const { meanGradient, exactGradient, varianceByUnit } = cell.metrics;
  return {
    mean: meanGradient.slice(0, n),
    exact: exactGradient.slice(0, n),
    meanVariance: varianceByUnit.slice(0, n).map((variance) => variance / cell.samples),
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
