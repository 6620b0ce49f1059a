/**
 * Scores along training (`--score-at`): variance, bias and MSE against the training step per suite
 * setting, one line per estimator, each point the mean over the training seeds with a band of ±1
 * standard error. Where an adaptive estimator's state learns, its variance falls along these lines.
 */
import { trainingResult, type BenchResults, type ScoresAtStep } from '../../core/types.js';
import { suiteVariants, type SuiteVariant } from '../cells.js';
import { mseStdErr, varianceStdErr } from '../uncertainty.js';
import { axis, chartSize, commonOptions, scaleTypeFor, type ChartDefinition, type ChartSpec } from './chart.js';
import { lineLook, withAlpha, type ChartStyles } from './palette.js';
import { heightForLegend, shownSeries } from './series.js';
import { cellTip, valueLine } from './tips.js';

/** What one chart of scores along training plots. */
interface AlongTrainingMetric {
  readonly field: 'variance' | 'bias' | 'mse';
  readonly name: string;
  readonly axisTitle: string;
  readonly unit: string;
  /**
   * ±1 standard error of a point: over the seeds where there are several; with one seed, the sampling
   * error of the scores at `samples` estimates (the approximations the tables use).
   */
  stdErr(point: ScoresAtStep, samples: number): number;
}

const metrics: readonly AlongTrainingMetric[] = [
  {
    field: 'variance', name: 'Variance', axisTitle: 'variance: trace of Cov(ĝ), one estimate', unit: '(dL/dθ)²',
    stdErr: (point, samples) => point.stdErrOverSeeds?.variance ?? varianceStdErr(point, samples),
  },
  {
    field: 'bias', name: 'Bias', axisTitle: 'bias: ‖E[ĝ] − ∇‖₂', unit: 'dL/dθ',
    stdErr: (point) => point.stdErrOverSeeds?.bias ?? point.biasStdErr,
  },
  {
    field: 'mse', name: 'MSE', axisTitle: 'MSE: E‖ĝ − ∇‖², one estimate', unit: '(dL/dθ)²',
    stdErr: (point, samples) => point.stdErrOverSeeds?.mse ?? mseStdErr(point, samples),
  },
];

/** The chart of one metric along training for one suite setting's cells, or none when no cell was scored along training. */
function metricChart(metric: AlongTrainingMetric, results: BenchResults, styles: ChartStyles, variant: SuiteVariant): ChartSpec[] {
  const lines = shownSeries(results, variant.cells).flatMap((series) => {
    const points = trainingResult(series.cell.metrics)?.scoresAlongTraining ?? [];
    return points.length > 0 ? [{ series, points }] : [];
  });
  if (lines.length === 0) return [];
  const datasets = lines.flatMap(({ series, points }) => {
    const { cell, styleKey, backends, label } = series;
    const errors = points.map((point) => metric.stdErr(point, cell.samples));
    const meanPoints = points.map((point, index) => ({
      x: point.step, y: point[metric.field],
      tip: cellTip(results, cell, [
        `step ${point.step} · ${point.seeds.length} training seed${point.seeds.length > 1 ? 's' : ''} · reference ${point.referenceKind}`,
        valueLine(metric.name.toLowerCase(), point[metric.field], errors[index]),
      ]),
    }));
    const band = withAlpha(styles.estimator(styleKey).colour, 0.15);
    const edge = (sign: number) => points.map((point, index) => ({ x: point.step, y: point[metric.field] + sign * errors[index] }));
    return [
      { label, data: meanPoints, ...lineLook(styles, styleKey, cell.backend), pointRadius: 4, pointHitRadius: 4, borderWidth: 2.5, fill: false, backends },
      { label: '', data: edge(-1), borderWidth: 0, pointRadius: 0, pointHitRadius: 0, fill: false, backends },
      { label: '', data: edge(1), borderWidth: 0, pointRadius: 0, pointHitRadius: 0, backgroundColor: band, fill: '-1', backends },
    ];
  });
  const values = lines.flatMap(({ points }) => points.map((point) => point[metric.field]));
  const seeds = lines[0].points[0].seeds.length;
  const samples = lines[0].series.cell.samples;
  const kind = lines[0].points[0].referenceKind;
  const title = `${metric.name} along training: ${variant.title}`;
  // A log axis drops the lower band edges at or below zero; chart.js leaves such points out.
  const type = scaleTypeFor(values, true);
  return [{
    file: `${metric.field}-along-training-${variant.slug}.png`,
    title,
    suite: variant.suite,
    ...(variant.nodeKind ? { nodeKind: variant.nodeKind } : {}),
    height: heightForLegend(lines.map(({ series }) => series.label), chartSize.height),
    caption: `${metric.name} of one estimate at the --score-at steps of each training run, against the ${kind} reference recomputed at that point ` +
      `(${samples} estimates per point); line: mean over ${seeds} training seed${seeds > 1 ? 's' : ''}, band: ±1 standard error ` +
      `(${seeds > 1 ? 'over the seeds' : 'of the sampling, by the approximations of the tables'}). One line per estimator, styled as in every chart.`,
    configuration: {
      type: 'line',
      data: { datasets },
      options: {
        ...commonOptions(title, `mean over ${seeds} seed${seeds > 1 ? 's' : ''} (band: ±1 standard error) · ${kind} reference at every point`),
        scales: { x: axis('linear', 'training step'), y: axis(type, metric.axisTitle, metric.unit, values) },
      },
    },
  }];
}

/** Variance, bias and MSE against the training step, one chart each per suite setting. */
export const alongTrainingChart: ChartDefinition = {
  id: 'scores-along-training',
  title: 'Scores along training',
  howToGet: 'run a benchmark with --score-at STEPS (for example --steps 200 --score-at 0,50,200) on a suite with a reference gradient',
  plan(results, styles) {
    return suiteVariants(results).flatMap((variant) => metrics.flatMap((metric) => metricChart(metric, results, styles, variant)));
  },
};
