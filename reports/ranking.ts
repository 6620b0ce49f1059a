/**
 * Rankings that call a difference only beyond noise. Estimators are listed best first; between two
 * neighbours `<` (or `>` where higher is better) marks a difference beyond two standard errors of the
 * difference, `≈` one within them (a tie), `·` an order the results give no standard error to test (one
 * training seed). Each symbol is a claim about its two neighbours only.
 */
import { formatNumber } from './format.js';
import { compareBetter, type Measured } from './verdict/noise.js';

/** One estimator under a criterion. */
export interface RankedItem {
  readonly label: string;
  readonly value: Measured;
  /** Shown in brackets after the value: `biased`, `cpu:fused-js`. */
  readonly note?: string;
}

/** A criterion and the estimators it ranks. */
export interface Ranking {
  /** `lowest MSE per estimate`. */
  readonly title: string;
  readonly better: 'lower' | 'higher';
  readonly items: readonly RankedItem[];
  /** Multiplies values for display (100: a fraction shown in percent); default 1. */
  readonly scale?: number;
  /** Appended to displayed values: `%`, ` µs`. */
  readonly unit?: string;
  /** A remark after the ranking: the unit, what the noise is. */
  readonly remark?: string;
}

/** The symbols, explained once per report. */
export const rankingLegend = 'In rankings, estimators are listed best first; `<` (or `>`) marks a difference beyond two standard errors of the difference, ' +
  '`≈` a tie within them, `·` an order without a standard error to test it (one training seed); ' +
  '_biased_: a bias beyond noise, or, without a reference gradient, an estimator that does not claim to be unbiased.';

/**
 * Significant digits that show a value down to its standard error's second digit (3.2843 ± 0.0013,
 * not 3.28 ± 0.0013, which would hide differences the error resolves); 3 at least, 8 at most.
 */
export function digitsFor(value: number, stdErr: number | undefined): number {
  if (stdErr === undefined || !(stdErr > 0) || !Number.isFinite(stdErr) || value === 0 || !Number.isFinite(value)) return 3;
  const digits = Math.floor(Math.log10(Math.abs(value))) - Math.floor(Math.log10(stdErr)) + 2;
  return Math.min(8, Math.max(3, digits));
}

/** `1.23 ± 0.04`, or the value alone without a standard error; `scale` multiplies both for display. */
export function formatMeasured(value: Measured, unit = '', scale = 1): string {
  const error = value.stdErr !== undefined && value.stdErr > 0 ? value.stdErr * scale : undefined;
  return `${formatNumber(value.value * scale, digitsFor(value.value * scale, error))}${error !== undefined ? ` ± ${formatNumber(error, 2)}` : ''}${unit}`;
}

/** A value of a ranking as it displays it. */
export function formatRanked(ranking: Pick<Ranking, 'scale' | 'unit'>, value: Measured): string {
  return formatMeasured(value, ranking.unit ?? '', ranking.scale ?? 1);
}

/** The items best first by value (ties in the sort keep run order). */
export function sortedItems(ranking: Pick<Ranking, 'better' | 'items'>): RankedItem[] {
  const sign = ranking.better === 'lower' ? 1 : -1;
  return [...ranking.items].filter((item) => Number.isFinite(item.value.value)).sort((left, right) => sign * (left.value.value - right.value.value));
}

/** The symbol between two neighbours of a sorted ranking. */
export function separator(better: 'lower' | 'higher', first: Measured, second: Measured): '<' | '>' | '≈' | '·' {
  const order = compareBetter(first, second, better);
  if (order === 'tie') return '≈';
  if (order === 'untested') return '·';
  return better === 'lower' ? '<' : '>';
}

/**
 * The leaders: the best item and every other tied with it within noise. Items the results give no
 * standard error to compare (one training seed) are not among them. Empty when there are no items.
 */
export function leaders(ranking: Pick<Ranking, 'better' | 'items'>): RankedItem[] {
  const sorted = sortedItems(ranking);
  if (sorted.length === 0) return [];
  const [best] = sorted;
  return sorted.filter((item) => item === best || compareBetter(best.value, item.value, ranking.better) === 'tie');
}

/** One Markdown bullet: `- **title**: a 1 ± 0.1 ≈ b 1.1 ± 0.1 < c 3 ± 0.2 (remark)`; nothing when no item has a value. */
export function rankingLine(ranking: Ranking): string[] {
  const sorted = sortedItems(ranking);
  if (sorted.length === 0) return [];
  const parts = sorted.map((item, index) => {
    const text = `${item.label} ${formatRanked(ranking, item.value)}${item.note ? ` (${item.note})` : ''}`;
    return index === 0 ? text : `${separator(ranking.better, sorted[index - 1].value, item.value)} ${text}`;
  });
  return [`- **${ranking.title}**: ${parts.join(' ')}${ranking.remark ? ` _(${ranking.remark})_` : ''}`];
}
