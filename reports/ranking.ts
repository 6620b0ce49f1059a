/**
 * The short ranking per suite (lowest MSE, lowest bias, fastest, lowest final loss) that report.md and
 * the CI summary show. It ranks estimators, not the same estimator twice on two backends: backends
 * consume the same noise and agree to float32 precision, so a backend is named only where its scores
 * differ beyond noise, or for speed, where they truly differ.
 */
import { gradientScores, trainingResult, type BenchResults, type CellResult } from '../core/types.js';
import { backendCount, backendDifferences, estimatorGroups, type CompletedCell, type EstimatorGroup } from './cells.js';
import { formatNumber } from './format.js';
import { mseStdErr } from './uncertainty.js';

/** One estimator's entry under a criterion. */
interface Entry {
  readonly name: string;
  readonly value: number;
  readonly error?: number;
  /** Backends that disagree beyond noise, with their values. */
  readonly note?: string;
}

interface Criterion {
  readonly title: string;
  readonly unit: string;
  /** The value and standard error of one cell, or undefined when the cell has no such score. */
  readonly score: (cell: CompletedCell) => { value: number; error?: number } | undefined;
  /** Speed: take each estimator's fastest backend and name it. */
  readonly perBackend?: boolean;
}

const criteria: readonly Criterion[] = [
  { title: 'lowest MSE', unit: '', score: (cell) => { const g = gradientScores(cell.metrics); return g && { value: g.mse, error: mseStdErr(g, cell.samples) }; } },
  { title: 'lowest bias', unit: '', score: (cell) => { const g = gradientScores(cell.metrics); return g && { value: g.bias, error: g.biasStdErr }; } },
  { title: 'fastest', unit: ' ns per estimate', perBackend: true, score: (cell) => (cell.metrics.nsPerEstimate === undefined ? undefined : { value: cell.metrics.nsPerEstimate, error: cell.metrics.nsPerEstimateMad }) },
  { title: 'lowest final loss', unit: '', score: (cell) => { const t = trainingResult(cell.metrics); return t && { value: t.finalLoss, error: t.finalLossStdErr }; } },
];

function withError(value: number, error: number | undefined, unit: string): string {
  return `${formatNumber(value)}${error !== undefined && error > 0 ? ` ± ${formatNumber(error, 2)}` : ''}${unit}`;
}

/** Mean of the values and the standard error of that mean (independent seeds): the seeds of a grid count as one estimator. */
function meanOverSeeds(scores: ReadonlyArray<{ value: number; error?: number }>): { value: number; error?: number } {
  const value = scores.reduce((total, score) => total + score.value, 0) / scores.length;
  const errors = scores.map((score) => score.error ?? 0);
  const error = Math.hypot(...errors) / scores.length;
  return error > 0 ? { value, error } : { value };
}

function entryOf(group: EstimatorGroup, criterion: Criterion, backends: number): Entry | undefined {
  const scored = group.cells.flatMap((cell) => {
    const score = criterion.score(cell);
    return score && Number.isFinite(score.value) ? [{ cell, ...score }] : [];
  });
  if (scored.length === 0) return undefined;
  const backendIds = [...new Set(scored.map((entry) => entry.cell.backend))];
  const onBackend = (backend: string) => scored.filter((entry) => entry.cell.backend === backend);
  if (criterion.perBackend) {
    const perBackend = backendIds.map((backend) => ({ backend: onBackend(backend)[0].cell.backendMode ?? backend, ...meanOverSeeds(onBackend(backend)) }));
    const fastest = perBackend.reduce((best, candidate) => (candidate.value < best.value ? candidate : best));
    return { name: backends > 1 ? `${group.label} (${fastest.backend})` : group.label, value: fastest.value, error: fastest.error };
  }
  // Backends consume the same noise: the first one's scores stand for all, unless another differs beyond noise.
  const reference = onBackend(backendIds[0]);
  const differing = backendIds.slice(1).filter((backend) => onBackend(backend).some((entry) => {
    const twin = reference.find((candidate) => candidate.cell.seed === entry.cell.seed);
    return twin !== undefined && backendDifferences(twin.cell, entry.cell).length > 0;
  }));
  const note = differing.length > 0
    ? `backends differ beyond noise: ${[backendIds[0], ...differing].map((backend) => {
      const mean = meanOverSeeds(onBackend(backend));
      return `${onBackend(backend)[0].cell.backendMode ?? backend} ${withError(mean.value, mean.error, '')}`;
    }).join(', ')}`
    : undefined;
  return { name: group.label, ...meanOverSeeds(reference), ...(note ? { note } : {}) };
}

/**
 * Markdown bullet lines ranking the estimators among `cells` (one suite at one setting); the seeds of a
 * seed grid are averaged (value: mean over seeds; error: standard error of that mean). The runner-up
 * is named with a note when the two are within two combined standard errors: the order between them is
 * not established. A criterion no cell has a score for (no reference gradient, `--steps 0`) is left out.
 */
export function rankingLines(results: BenchResults, cells: readonly CellResult[]): string[] {
  const backends = backendCount(results);
  const groups = estimatorGroups(results, cells, true);
  return criteria.flatMap((criterion) => {
    const ranked = groups.flatMap((group) => entryOf(group, criterion, backends) ?? []).sort((left, right) => left.value - right.value);
    if (ranked.length === 0) return [];
    const [best, next] = ranked;
    let line = `- **${criterion.title}**: ${best.name}, ${withError(best.value, best.error, criterion.unit)}${best.note ? ` (${best.note})` : ''}`;
    if (next) {
      const noise = Math.hypot(best.error ?? 0, next.error ?? 0);
      const tie = noise > 0 && next.value - best.value < 2 * noise ? ' (within noise of the best)' : '';
      line += `; next ${next.name}, ${withError(next.value, next.error, criterion.unit)}${tie}${next.note ? ` (${next.note})` : ''}`;
    }
    return [line];
  });
}
