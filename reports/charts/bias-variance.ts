/** Bias against variance per suite setting: one point per estimator (a second backend only where it differs beyond noise), lower-left is best. */
import { gradientScores } from '../../core/types.js';
import { estimatorGroups, shownCells, suiteVariants, variantLabel } from '../cells.js';
import { axis, commonOptions, type ChartDefinition } from './chart.js';

export const biasVarianceChart: ChartDefinition = {
  id: 'bias-variance',
  title: 'Bias against variance',
  howToGet: 'run a benchmark with at least one completed cell of a suite with a reference gradient',
  plan(results, styles) {
    return suiteVariants(results).flatMap((variant) => {
      const points = estimatorGroups(results, variant.cells).flatMap((group) => shownCells(group).flatMap(({ cell, differs }) => {
        const scores = gradientScores(cell.metrics);
        // Log axes: a zero bias or variance (a deterministic estimator at an exact point) cannot be placed.
        if (!scores || !(scores.bias > 0 && scores.variance > 0)) return [];
        return [{ cell, scores, label: differs.length > 0 ? `${group.label} (${cell.backend})` : group.label }];
      }));
      if (points.length === 0) return [];
      const datasets = points.map(({ cell, scores, label }) => {
        const colourKey = variantLabel(results, cell.estimator, cell.estimatorParams);
        const look = styles.estimator(colourKey);
        const { bias, biasStdErr, variance } = scores;
        return {
          label,
          data: [{ x: variance, y: bias, yMin: bias - biasStdErr, yMax: bias + biasStdErr }],
          borderColor: look.colour,
          backgroundColor: styles.backend(cell.backend).filledMarker ? look.colour : '#ffffff',
          pointStyle: look.marker,
          pointRadius: 8,
          pointBorderWidth: 2,
        };
      });
      const samples = points[0].cell.samples;
      const title = `Bias against variance: ${variant.title}`;
      return [{
        file: `bias-variance-${variant.slug}.png`,
        title,
        caption: `One point per estimator, ${samples} single-sample estimates each; bars are ±1 standard error of the bias. ` +
          'Backends agree to float32 precision and share a point; a hollow point marks a backend whose scores differ beyond noise. Lower left is better.',
        configuration: {
          type: 'scatter',
          data: { datasets },
          options: {
            ...commonOptions(title, `lower left is better · bars: ±1 standard error of the bias · N = ${samples} estimates per point`),
            scales: {
              x: axis('logarithmic', 'variance: trace of Cov(ĝ), one estimate', '(dL/dθ)²', points.map((point) => point.scores.variance)),
              y: axis('logarithmic', 'bias: ‖E[ĝ] − ∇‖₂', 'dL/dθ', points.flatMap((point) => [point.scores.bias, point.scores.bias + point.scores.biasStdErr])),
            },
          },
        },
      }];
    });
  },
};
