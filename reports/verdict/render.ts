/** The verdict of a suite setting as Markdown: the generated reading, the trade-off table and the rankings. */
import type { BenchResults } from '../../core/types.js';
import type { SuiteVariant } from '../cells.js';
import { formatNumber } from '../format.js';
import { formatMeasured, rankingLine } from '../ranking.js';
import { evaluationsOf, microsecondsOn, mseAtEvaluations, varianceTimesEvaluations, varianceTimesTime } from './equal-cost.js';
import type { VerdictEntry } from './entries.js';
import { readingSentences } from './reading.js';
import { suiteVerdict, type SuiteVerdict } from './verdict.js';

/** A Markdown table; pipes inside cells are escaped. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return [`| ${header.map(cell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)];
}

const orDash = (value: string | undefined) => value ?? '-';

/** What the bias test says of an entry, in a word or two. */
function biasWord(entry: VerdictEntry): string {
  if (!entry.biasTest) return entry.traits?.claimsUnbiased ? 'claimed' : '-';
  if (entry.biasTest.withinNoise) return entry.traits?.claimsUnbiased ? 'yes' : 'within noise (not claimed)';
  return `no (rel. bias ${formatNumber(entry.relativeBias)})`;
}

/** Where an entry stands in each Pareto view: `✓`, or `×` and the estimator that dominates it. */
function paretoCell(verdict: SuiteVerdict, entry: VerdictEntry): string {
  const several = verdict.pareto.filter((view) => view.cost === 'time').length > 1;
  return verdict.pareto.flatMap((view) => {
    if (!view.points.some((point) => point.label === entry.label)) return [];
    const name = view.cost === 'evaluations' ? 'evaluations' : `time${several ? ` ${view.mode}` : ''}`;
    const winner = view.dominatedBy.get(entry.label);
    return [winner ? `× ${name} (by ${winner})` : `✓ ${name}`];
  }).join('; ') || '-';
}

/**
 * The trade-off table: per estimator its bias verdict, cost, MSE, the scores at equal cost and its
 * place in the Pareto sets. Empty when no estimator has an MSE (no reference gradient).
 */
export function tradeOffTable(verdict: SuiteVerdict): string[] {
  const scored = verdict.entries.filter((entry) => entry.mse);
  if (scored.length === 0) return [];
  const backends = [...new Map(verdict.entries.flatMap((entry) => entry.costs.filter((cost) => cost.nsPerEstimate).map((cost) => [cost.backend, cost.mode] as const)))];
  const several = backends.length > 1;
  const budget = verdict.evaluationBudget;
  const header = [
    'estimator', 'unbiased', 'eval.',
    ...backends.map(([, mode]) => `µs/estimate${several ? ` ${mode}` : ''}`),
    'MSE ± SE',
    ...(budget !== undefined ? ['variance × eval.', `MSE at ${budget} eval.`] : []),
    ...backends.map(([, mode]) => `variance × µs${several ? ` ${mode}` : ''}`),
    'Pareto set',
  ];
  const rows = scored.map((entry) => [
    entry.label, biasWord(entry), orDash(evaluationsOf(entry)?.toString()),
    ...backends.map(([backend]) => orDash(microsecondsOn(entry, backend) && formatMeasured(microsecondsOn(entry, backend)!))),
    formatMeasured(entry.mse!),
    ...(budget !== undefined
      ? [orDash(varianceTimesEvaluations(entry) && formatMeasured(varianceTimesEvaluations(entry)!)), orDash(mseAtEvaluations(entry, budget) && formatMeasured(mseAtEvaluations(entry, budget)!))]
      : []),
    ...backends.map(([backend]) => orDash(varianceTimesTime(entry, backend) && formatMeasured(varianceTimesTime(entry, backend)!))),
    paretoCell(verdict, entry),
  ]);
  return table(header, rows);
}

/** How to read the table, once per suite. */
function tableNote(verdict: SuiteVerdict): string {
  const budget = verdict.evaluationBudget;
  return 'Unbiased: claimed by the estimator and no bias beyond noise (per-unit z-test with Bonferroni at 1%, and the bias norm within 3 SE). ' +
    'Variance × cost is the variance of an average over a fixed budget, up to the budget: lower is better at equal cost' +
    `${budget !== undefined ? `; MSE at ${budget} eval. = Var·k/${budget} + bias², an average over ${budget} objective evaluations (k per estimate)` : ''}. ` +
    'Pareto set: no other estimator is better beyond noise in MSE or cost without being worse beyond noise in the other (× names one that dominates). ' +
    'Time noise is the standard error of the median batch time (1.86·MAD/√batches).';
}

/** The verdict section of one suite setting: reading, table (with `withTable`) and rankings. */
export function verdictLines(results: BenchResults, variant: SuiteVariant, withTable = true): string[] {
  const verdict = suiteVerdict(results, variant);
  const reading = readingSentences(verdict);
  const tradeOff = withTable ? tradeOffTable(verdict) : [];
  const rankings = verdict.rankings.flatMap(rankingLine);
  return [
    ...(reading.length > 0 ? ['**Verdict** (sentences generated from the numbers):', '', reading.join(' '), ''] : []),
    ...(tradeOff.length > 0 ? [...tradeOff, '', `_${tableNote(verdict)}_`, ''] : []),
    ...(rankings.length > 0 ? ['**Rankings**', '', ...rankings, ''] : []),
  ];
}
