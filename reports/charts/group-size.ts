/**
 * Bias and variance of the group estimators (REINFORCE-LOO, GRPO, Dr. GRPO: any estimator with a
 * group size `k`) on sequence-reward, against k and against the suite's KL weight β: one line per
 * estimator (and backend), one chart per measure and swept parameter, drawn where the run gives that
 * parameter at least two values.
 */
import { gradientScores, type GradientScores } from '../../core/types.js';
import { backendCount, completedCells, type CompletedCell } from '../cells.js';
import { varianceStdErr } from '../uncertainty.js';
import { axis, chartSize, commonOptions, seriesLabel, type ChartDefinition, type ChartSpec } from './chart.js';
import { createChartStyles, lineLook } from './palette.js';
import { heightForLegend } from './series.js';
import { cellTip, valueLine } from './tips.js';

const suite = 'sequence-reward';

/** A parameter swept along the x axis: read from the estimator's or the suite's parameters. */
interface Sweep {
  readonly name: string;
  readonly axisTitle: string;
  read(cell: CompletedCell): number | undefined;
}

const sweeps: readonly Sweep[] = [
  { name: 'k', axisTitle: 'group size k (objective evaluations per estimate)', read: (cell) => numberOrUndefined(cell.estimatorParams.k) },
  { name: 'beta', axisTitle: 'KL weight β', read: (cell) => numberOrUndefined(cell.suiteParams.beta) },
];

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

const measures = [
  { name: 'bias', title: 'bias: ‖E[ĝ] − ∇‖₂', unit: 'dL/dθ', value: (scores: GradientScores) => scores.bias, stdErr: (scores: GradientScores) => scores.biasStdErr },
  { name: 'variance', title: 'variance: trace of Cov(ĝ), one estimate', unit: '(dL/dθ)²', value: (scores: GradientScores) => scores.variance, stdErr: (scores: GradientScores, samples: number) => varianceStdErr(scores, samples) },
] as const;

export const groupSizeChart: ChartDefinition = {
  id: 'group-size',
  title: 'Group estimators against group size and KL weight (sequence-reward)',
  howToGet: 'run --suite sequence-reward --estimator reinforce-loo,grpo,dr-grpo with a grid over k (--set k=2,4,8) or beta (--set beta=0,0.1,0.5)',
  plan(results) {
    const firstSeed = Math.min(...results.config.seeds);
    const cells = completedCells(results, suite).filter((cell) => cell.seed === firstSeed && gradientScores(cell.metrics) && cell.estimatorParams.k !== undefined);
    const backends = backendCount(results);
    return sweeps.flatMap((sweep): ChartSpec[] => {
      const xs = [...new Set(cells.map((cell) => sweep.read(cell)).filter((x) => x !== undefined))];
      if (xs.length < 2) return [];
      // One line per estimator, backend and setting of everything but the swept parameter.
      const lines = new Map<string, CompletedCell[]>();
      for (const cell of cells) {
        const rest = { ...cell.suiteParams, ...cell.estimatorParams, [sweep.name]: null };
        const key = JSON.stringify([cell.estimator, cell.backend, rest]);
        lines.set(key, [...(lines.get(key) ?? []), cell]);
      }
      // Lines are labelled by the settings that differ between them (k, β, the policy, the KL placement).
      const settingsOf = (cell: CompletedCell): Record<string, unknown> => ({ ...cell.suiteParams, ...cell.estimatorParams });
      // A setting varies when one estimator's cells take several values of it (an estimator's own parameter,
      // such as GRPO's epsilon, does not vary by being absent from the others).
      const varies = (name: string) => [...new Set(cells.map((cell) => cell.estimator))].some((estimator) =>
        new Set(cells.filter((cell) => cell.estimator === estimator).map((cell) => JSON.stringify(settingsOf(cell)[name]))).size > 1);
      const varying = [...new Set(cells.flatMap((cell) => Object.keys(settingsOf(cell))))].filter((name) => name !== sweep.name && varies(name));
      const lineLabel = (first: CompletedCell) =>
        [first.estimator, ...varying.filter((name) => name in settingsOf(first)).map((name) => `${name === 'beta' ? 'β' : name}=${String(settingsOf(first)[name])}`)].join(' ');
      // One style per line (an estimator at each setting of the other parameter), not per estimator variant.
      const lineStyles = createChartStyles([...new Set([...lines.values()].map((line) => lineLabel(line[0])))], results.config.backends);
      return measures.map((measure) => {
        const datasets = [...lines.values()].map((line) => {
          const sorted = [...line].sort((a, b) => sweep.read(a)! - sweep.read(b)!);
          const first = sorted[0];
          const label = seriesLabel(lineLabel(first), first.backend, backends);
          return {
            label,
            backends: [first.backend],
            data: sorted.map((cell) => {
              const scores = gradientScores(cell.metrics)!;
              const value = measure.value(scores);
              const stdErr = measure.stdErr(scores, cell.samples);
              return { x: sweep.read(cell)!, y: value, yMin: value - stdErr, yMax: value + stdErr, tip: cellTip(results, cell, [valueLine(measure.name, value, stdErr)]) };
            }),
            ...lineLook(lineStyles, lineLabel(first), first.backend),
            showLine: true,
            pointRadius: 5,
          };
        });
        const title = `${measure.name === 'bias' ? 'Bias' : 'Variance'} against ${sweep.name === 'k' ? 'group size k' : 'KL weight β'}: ${suite}`;
        const samples = cells[0].samples;
        return {
          file: `group-${measure.name}-${sweep.name}-${suite}.png`,
          title,
          suite,
          nodeKind: 'categorical',
          height: heightForLegend(datasets.map((dataset) => dataset.label), chartSize.height),
          caption: `${measure.title} of each group estimator against ${sweep.name === 'k' ? 'its group size k' : "the suite's KL weight β"}, against the exact gradient ` +
            `by enumeration; ${samples} single-sample estimates per point, bars ±1 standard error. REINFORCE-LOO is unbiased at every k; ` +
            "Dr. GRPO's mean is (k − 1)/k of the gradient, so its bias is ‖∇‖/k; GRPO's division by the group's standard deviation rescales and reweights the estimate. " +
            'Under kl=k3-loss every estimator also carries the bias of differentiating k3 (its expected gradient is not that of the KL).',
          configuration: {
            type: 'scatter',
            data: { datasets },
            options: {
              ...commonOptions(title, `bars: ±1 standard error · N = ${samples} estimates per point`),
              scales: {
                x: axis('linear', sweep.axisTitle),
                y: axis(measure.name === 'variance' ? 'logarithmic' : 'linear', measure.title, measure.unit, datasets.flatMap((dataset) => dataset.data.map((point) => point.y))),
              },
            },
          },
        };
      });
    });
  },
};
