/** Bias against variance per suite setting: one point per estimator (a second backend only where it differs beyond noise), lower-left is best. */
import { gradientScores } from '../../core/types.js';
import { suiteVariants } from '../cells.js';
import { mseStdErr, varianceStdErr } from '../uncertainty.js';
import { axis, chartSize, commonOptions, type ChartDefinition } from './chart.js';
import { pointLook } from './palette.js';
import { heightForLegend, shownSeries } from './series.js';
import { cellTip, valueLine } from './tips.js';

export const biasVarianceChart: ChartDefinition = {
  id: 'bias-variance',
  title: 'Bias against variance',
  howToGet: 'run a benchmark with at least one completed cell of a suite with a reference gradient',
  plan(results, styles) {
    return suiteVariants(results).flatMap((variant) => {
      const points = shownSeries(results, variant.cells).flatMap((series) => {
        const scores = gradientScores(series.cell.metrics);
        // Log axes: a zero bias or variance (a deterministic estimator at an exact point) cannot be placed.
        if (!scores || !(scores.bias > 0 && scores.variance > 0)) return [];
        return [{ series, scores }];
      });
      if (points.length === 0) return [];
      const datasets = points.map(({ series, scores }) => {
        const { bias, biasStdErr, variance } = scores;
        const tip = cellTip(results, series.cell, [
          valueLine('bias', bias, biasStdErr), valueLine('variance', variance, varianceStdErr(scores, series.cell.samples)), valueLine('MSE', scores.mse, mseStdErr(scores, series.cell.samples)),
        ]);
        return {
          label: series.label,
          backends: series.backends,
          data: [{ x: variance, y: bias, yMin: bias - biasStdErr, yMax: bias + biasStdErr, tip }],
          ...pointLook(styles, series.styleKey, series.cell.backend),
        };
      });
      const samples = points[0].series.cell.samples;
      const arrows = points.some(({ scores }) => scores.bias - scores.biasStdErr <= 0);
      const title = `Bias against variance: ${variant.title}`;
      // The axis shows each bar's lower end unless it lies more than a decade below the point (then the bar ends in an arrow).
      const biasRange = points.flatMap(({ scores }) => [scores.bias, scores.bias + scores.biasStdErr, ...(scores.bias - scores.biasStdErr >= scores.bias / 10 ? [scores.bias - scores.biasStdErr] : [])]);
      return [{
        file: `bias-variance-${variant.slug}.png`,
        title,
        suite: variant.suite,
        ...(variant.nodeKind ? { nodeKind: variant.nodeKind } : {}),
        height: heightForLegend(datasets.map((dataset) => dataset.label), chartSize.height),
        caption: `One point per estimator, ${samples} single-sample estimates each; bars are ±1 standard error of the bias` +
          `${arrows ? ' (an open arrow: the interval reaches zero, so that bias is not distinguished from zero at this N)' : ''}. ` +
          'Backends agree to float32 precision and share a point; a hollow point marks a backend whose scores differ beyond noise. ' +
          'Points that would hide each other are spread sideways by a few pixels. Lower left is better.',
        configuration: {
          type: 'scatter',
          data: { datasets },
          options: {
            ...commonOptions(title, `lower left is better · bars: ±1 standard error of the bias · N = ${samples} estimates per point`, true, { estibenchDodge: true }),
            scales: {
              x: axis('logarithmic', 'variance: trace of Cov(ĝ), one estimate', '(dL/dθ)²', points.map((point) => point.scores.variance)),
              y: axis('logarithmic', 'bias: ‖E[ĝ] − ∇‖₂', 'dL/dθ', biasRange),
            },
          },
        },
      }];
    });
  },
};
