/**
 * MSE against cost per suite setting, log–log, with the Pareto front: one chart with cost in objective
 * evaluations per estimate (when estimators differ in it) and one per backend with cost in time per
 * estimate. The set comes from the verdict (`reports/verdict/`), so chart, tables and text agree:
 * filled markers are in the set, hollow ones are dominated beyond noise.
 */
import { fileSafe, axis, chartSize, commonOptions, type ChartDefinition, type ChartSpec } from './chart.js';
import { heightForLegend } from './series.js';
import { valueLine } from './tips.js';
import type { ChartStyles } from './palette.js';
import type { BenchResults } from '../../core/types.js';
import { suiteVariants, type SuiteVariant } from '../cells.js';
import { listText } from '../verdict/reading.js';
import { suiteVerdict, type ParetoView } from '../verdict/verdict.js';

function chartOf(results: BenchResults, variant: SuiteVariant, view: ParetoView, styles: ChartStyles, severalBackends: boolean): ChartSpec {
  const byTime = view.cost === 'time';
  const points = view.points.map((point) => {
    const member = !view.dominatedBy.has(point.label);
    const look = styles.estimator(point.label);
    const { mse, cost } = point;
    const mseError = mse.stdErr ?? 0;
    const costError = cost.stdErr ?? 0;
    return {
      label: point.label,
      ...(byTime && view.backend ? { backends: [view.backend] } : {}),
      data: [{
        x: cost.value, y: mse.value, yMin: mse.value - mseError, yMax: mse.value + mseError,
        ...(byTime && costError > 0 ? { xMin: cost.value - costError, xMax: cost.value + costError } : {}),
        tip: [
          valueLine('MSE', mse.value, mse.stdErr),
          byTime ? valueLine(`time per estimate${view.mode ? ` on ${view.mode}` : ''}`, cost.value, cost.stdErr, 'µs') : `${cost.value} objective evaluations per estimate`,
          member ? 'in the Pareto set' : `dominated by ${view.dominatedBy.get(point.label)}`,
          `suite: ${variant.title}`,
        ],
      }],
      borderColor: look.colour,
      backgroundColor: member ? look.colour : '#ffffff',
      pointBackgroundColor: member ? look.colour : '#ffffff',
      pointStyle: look.marker,
      pointRotation: look.rotation,
      borderDash: [...look.dash],
      pointRadius: member ? 9 : 7,
      pointBorderWidth: 2,
    };
  });
  const front = {
    type: 'line' as const,
    label: 'Pareto front',
    data: view.front.map((point) => ({ x: point.cost.value, y: point.mse.value })),
    borderColor: '#555555',
    backgroundColor: '#555555',
    borderWidth: 1.5,
    borderDash: [6, 4],
    pointRadius: 0,
    pointStyle: 'line' as const,
    stepped: 'before' as const,
    showLine: true,
    fill: false,
  };
  const where = byTime && severalBackends ? ` on ${view.mode}` : '';
  const costName = byTime ? `time per estimate${where}` : 'objective evaluations per estimate';
  const title = `MSE against ${byTime ? 'time' : 'evaluations'}${where}: ${variant.title}`;
  const dominated = view.points.filter((point) => view.dominatedBy.has(point.label)).map((point) => point.label);
  const suffix = byTime ? `time${severalBackends ? `-${fileSafe(view.backend ?? '')}` : ''}` : 'evaluations';
  return {
    file: `pareto-${suffix}-${variant.slug}.png`,
    suite: variant.suite,
    ...(variant.nodeKind ? { nodeKind: variant.nodeKind } : {}),
    height: heightForLegend([...points.map((dataset) => dataset.label), front.label], chartSize.height),
    title,
    caption: `Pareto set over (MSE, ${costName}): ${listText([...view.members])} (filled markers; the dashed staircase is the front through them). ` +
      `${dominated.length > 0 ? `Hollow markers are dominated: another estimator is better beyond noise in MSE or cost and not worse beyond noise in the other (${listText(dominated)}). ` : ''}` +
      `Bars: ±1 standard error of the MSE${byTime ? '; horizontal bars: ±1 standard error of the median time (from the batches\' median absolute deviation)' : ''}. Lower left is better.`,
    configuration: {
      type: 'scatter',
      data: { datasets: [...points, front] as never },
      options: {
        ...commonOptions(title, `lower left is better · filled: Pareto set (within noise) · dashed: the front · N = ${results.config.samples} estimates per point`, true, { estibenchDodge: true }),
        scales: {
          x: byTime
            ? axis('logarithmic', `time per estimate${where}`, 'µs', view.points.flatMap((point) => [point.cost.value, point.cost.value + (point.cost.stdErr ?? 0)]))
            // Evaluations are counts: chartRuntime labels whole numbers only.
            : { ...axis('logarithmic', 'objective evaluations per estimate', undefined, view.points.map((point) => point.cost.value)), integerTicks: true },
          y: axis('logarithmic', 'MSE: E‖ĝ − ∇‖², one estimate', '(dL/dθ)²', view.points.flatMap((point) => [point.mse.value, point.mse.value + (point.mse.stdErr ?? 0)])),
        },
      },
    },
  };
}

export const paretoChart: ChartDefinition = {
  id: 'pareto',
  title: 'MSE against cost, with the Pareto front',
  howToGet: 'run a benchmark with at least two completed cells of a suite with a reference gradient (and timing, or estimators that differ in evaluations per estimate)',
  plan(results, styles) {
    return suiteVariants(results).flatMap((variant) => {
      const verdict = suiteVerdict(results, variant);
      const severalBackends = verdict.pareto.filter((view) => view.cost === 'time').length > 1;
      // One point alone, or one cost for all (every estimator at one evaluation), trades nothing off: no chart.
      return verdict.pareto.filter((view) => new Set(view.points.map((point) => point.cost.value)).size > 1)
        .map((view) => chartOf(results, variant, view, styles, severalBackends));
    });
  },
};
