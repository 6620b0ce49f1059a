/**
 * A short reading of a suite's verdict: sentences built from the numbers (which estimators are
 * unbiased within noise, the Pareto sets, which is cheapest at equal variance, which biased estimator
 * trains lowest and by how much), every comparison in them called only beyond noise.
 */
import { formatNumber } from '../format.js';
import { formatMeasured, formatRanked, leaders, sortedItems, type Ranking } from '../ranking.js';
import { trainingMetricInfo } from '../training-metrics.js';
import { evaluationsOf, varianceTimesEvaluations, varianceTimesTime } from './equal-cost.js';
import type { VerdictEntry } from './entries.js';
import { compareMeasured, type Measured } from './noise.js';
import { biasFlag, isUnbiased, type ParetoView, type SuiteVerdict } from './verdict.js';

/** `a`, `a and b`, `a, b and c`. */
export function listText(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function unbiasednessSentences(verdict: SuiteVerdict): string[] {
  const tested = verdict.entries.filter((entry) => entry.biasTest);
  if (tested.length === 0) return [];
  const within = tested.filter((entry) => entry.biasTest!.withinNoise);
  const samples = Math.max(...tested.map((entry) => entry.biasTest!.samples));
  const sentences = [within.length > 0
    ? `Unbiased within noise at N = ${samples} estimates: ${listText(within.map((entry) => entry.label))}; biased beyond noise: ${listText(tested.filter((entry) => !entry.biasTest!.withinNoise).map((entry) => entry.label)) || 'none'}.`
    : `Every estimator is biased beyond noise at N = ${samples} estimates.`];
  const contradicted = tested.filter((entry) => entry.traits?.claimsUnbiased && !entry.biasTest!.withinNoise);
  if (contradicted.length > 0) {
    sentences.push(`${listText(contradicted.map((entry) => `${entry.label} (bias ${formatMeasured(entry.bias!)})`))} claim${contradicted.length === 1 ? 's' : ''} to be unbiased but ` +
      `show${contradicted.length === 1 ? 's' : ''} a bias beyond noise: a bug, or a reference gradient to check.`);
  }
  const unclaimed = within.filter((entry) => entry.traits && !entry.traits.claimsUnbiased);
  if (unclaimed.length > 0) sentences.push(`${listText(unclaimed.map((entry) => entry.label))} do${unclaimed.length === 1 ? 'es' : ''} not claim to be unbiased, but no bias shows at this N.`);
  return sentences;
}

function paretoSentence(view: ParetoView, several: boolean): string {
  const cost = view.cost === 'evaluations' ? 'objective evaluations per estimate' : `time per estimate${several ? ` on ${view.mode}` : ''}`;
  const describe = (label: string) => {
    const point = view.points.find((candidate) => candidate.label === label)!;
    const costText = view.cost === 'evaluations' ? `${point.cost.value} eval.` : `${formatNumber(point.cost.value)} µs`;
    return `${label} (${costText}, MSE ${formatMeasured(point.mse)})`;
  };
  const offFront = view.members.filter((label) => !view.front.some((point) => point.label === label));
  return `Pareto set over (MSE, ${cost}): ${listText(view.members.map(describe))}` +
    `${offFront.length > 0 ? `; ${listText(offFront)} ${offFront.length === 1 ? 'is' : 'are'} within noise of the front` : ''}.`;
}

/**
 * Which unbiased estimator is cheapest at equal variance, and by how much: the cost to reach a variance
 * v is Var·cost/v, so two estimators' costs at equal variance stand in the ratio of variance × cost.
 */
function cheapestSentence(unbiased: readonly VerdictEntry[], score: (entry: VerdictEntry) => Measured | undefined, what: 'objective evaluations' | 'time', where = ''): string | undefined {
  const ranked = sortedItems({ better: 'lower', items: unbiased.flatMap((entry) => {
    const value = score(entry);
    return value ? [{ label: entry.label, value }] : [];
  }) });
  if (ranked.length < 2) return undefined;
  const tied = leaders({ better: 'lower', items: ranked });
  const next = ranked.find((item) => compareMeasured(ranked[0].value, item.value) === 'lower');
  const least = what === 'time' ? 'the least time' : 'the fewest objective evaluations';
  const head = tied.length > 1
    ? `At equal variance, ${listText(tied.map((item) => item.label))} tie for ${least}${where} (variance × ${what === 'time' ? 'time' : 'evaluations'} within noise)`
    : `At equal variance, ${ranked[0].label} needs ${least}${where}`;
  if (!next) return `${head}.`;
  const ratio = next.value.value / ranked[0].value.value;
  const saving = ratio >= 1.5 ? `${formatNumber(ratio, 2)}× ${what === 'time' ? 'less time' : 'fewer'}` : `${formatNumber(100 * (1 - 1 / ratio), 2)}% ${what === 'time' ? 'less time' : 'fewer'}`;
  return `${head}: ${ranked[0].label} needs ${saving} than ${next.label}, the next beyond noise ` +
    `(variance × ${what === 'time' ? 'µs' : 'evaluations'} ${formatMeasured(ranked[0].value)} against ${formatMeasured(next.value)}).`;
}

/** Leaders of a ranking in words: `a` or `a, tied within noise with b`. */
function leaderText(ranking: Ranking): string | undefined {
  const tied = leaders(ranking);
  if (tied.length === 0) return undefined;
  const [best, ...others] = tied;
  return `${best.label} ${formatRanked(ranking, best.value)}${best.note ? ` (${best.note})` : ''}${others.length > 0 ? `, tied within noise with ${listText(others.map((item) => item.label))}` : ''}`;
}

/**
 * The training sentence of one ranking (final loss, a training metric): its leader, and how the
 * biased estimator that trains best compares with the best unbiased one.
 */
function trainingSentences(verdict: SuiteVerdict, ranking: Ranking, what: string): string[] {
  const leader = leaderText(ranking);
  if (!leader) return [];
  const sorted = sortedItems(ranking);
  const untested = sorted.some((item) => item.value.stdErr === undefined) ? ' (one training seed: the order is not tested)' : '';
  const sentences = [`After ${verdict.steps} steps, the best ${what}: ${leader}${untested}.`];
  const byLabel = new Map(verdict.entries.map((entry) => [entry.label, entry]));
  const biased = sorted.find((item) => biasFlag(byLabel.get(item.label)!) !== undefined);
  const unbiased = sorted.find((item) => biasFlag(byLabel.get(item.label)!) === undefined && byLabel.get(item.label)!.traits?.claimsUnbiased);
  if (biased && unbiased) {
    const order = compareMeasured(biased.value, unbiased.value);
    const lowerIsBetter = ranking.better === 'lower';
    const comparison = order === 'tie'
      ? 'ties with'
      : order === 'untested' ? 'cannot be told apart (no standard error) from' : (order === 'lower') === lowerIsBetter ? 'beats' : 'trails';
    sentences.push(`The best biased estimator, ${biased.label} (${biasFlag(byLabel.get(biased.label)!)}), ${comparison} the best unbiased one, ${unbiased.label}: ` +
      `${formatRanked(ranking, biased.value)} against ${formatRanked(ranking, unbiased.value)}` +
      `${order === 'lower' || order === 'higher' ? `, a difference of ${formatRanked(ranking, { value: Math.abs(biased.value.value - unbiased.value.value) })}` : ''}.`);
  }
  return sentences;
}

/** The reading of one suite setting, a paragraph of generated sentences. */
export function readingSentences(verdict: SuiteVerdict): string[] {
  const sentences = [...unbiasednessSentences(verdict)];
  const several = verdict.pareto.filter((view) => view.cost === 'time').length > 1;
  for (const view of verdict.pareto) sentences.push(paretoSentence(view, several));
  const unbiased = verdict.entries.filter(isUnbiased);
  const evaluationsVary = new Set(unbiased.map(evaluationsOf)).size > 1;
  const byEvaluations = cheapestSentence(unbiased, varianceTimesEvaluations, 'objective evaluations');
  if (byEvaluations && evaluationsVary) sentences.push(byEvaluations);
  for (const view of verdict.pareto.filter((candidate) => candidate.cost === 'time')) {
    const byTime = cheapestSentence(unbiased, (entry) => varianceTimesTime(entry, view.backend!), 'time', several ? ` on ${view.mode}` : '');
    if (byTime) sentences.push(byTime);
  }
  const finalLoss = verdict.rankings.find((ranking) => ranking.title.startsWith('lowest final loss'));
  if (finalLoss) sentences.push(...trainingSentences(verdict, finalLoss, 'final loss'));
  for (const name of new Set(verdict.entries.flatMap((entry) => Object.keys(entry.trainingMetrics)))) {
    const info = trainingMetricInfo(name);
    const ranking = verdict.rankings.find((candidate) => candidate.title.endsWith(`${info.label} after ${verdict.steps} steps`));
    if (ranking) sentences.push(...trainingSentences(verdict, ranking, info.label));
  }
  const differing = verdict.entries.filter((entry) => entry.differingBackends.length > 0);
  if (differing.length > 0) {
    sentences.push(`Backends disagree beyond noise for ${listText(differing.map((entry) => `${entry.label} (${entry.differingBackends.map((item) => `${item.backend}: ${item.scores.join(', ')}`).join('; ')})`))}: they consume the same noise, so this is a bug to report.`);
  }
  return sentences;
}
