/** Built-in charts keyed by id, in the order report.md shows them, and the reporter that renders them. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchResults } from '../../core/types.js';
import { variantLabel } from '../cells.js';
import type { Reporter } from '../reporter.js';
import { biasVarianceChart } from './bias-variance.js';
import type { ChartDefinition, ChartSpec } from './chart.js';
import { coarseGradientChart } from './coarse-gradient.js';
import { logitSweepChart } from './logit-sweep.js';
import { negativeElboChart } from './negative-elbo.js';
import { paretoChart } from './pareto.js';
import { createChartStyles } from './palette.js';
import { populationLossChart } from './population-loss.js';
import { createChartRenderer } from './render.js';
import { scalingChart } from './scaling.js';
import { speedChart } from './speed.js';
import { testAccuracyChart } from './test-accuracy.js';
import { trainingCurvesChart } from './training-curves.js';
import { varianceCostChart } from './variance-cost.js';

export type { ChartDefinition, ChartSpec } from './chart.js';
export { chartPixels } from './render.js';

/** Built-in charts keyed by id. */
export const builtInCharts: ReadonlyMap<string, ChartDefinition> = new Map(
  [
    biasVarianceChart, logitSweepChart, trainingCurvesChart, speedChart, scalingChart,
    populationLossChart, coarseGradientChart, testAccuracyChart, negativeElboChart, varianceCostChart,
    paretoChart,
  ].map((chart) => [chart.id, chart]),
);

/** What each chart kind draws from these results (no rendering): its PNGs, or an empty list. */
export function planCharts(results: BenchResults): Array<{ readonly definition: ChartDefinition; readonly specs: ChartSpec[] }> {
  // One colour per estimator variant (an estimator at each value of a grid gets its own).
  const labels = [
    ...results.cells.map((cell) => variantLabel(results, cell.estimator, cell.estimatorParams)),
    ...(results.sweeps?.logit?.series ?? []).map((series) => variantLabel(results, series.estimator, series.estimatorParams)),
    ...(results.scaling?.series ?? []).map((series) => variantLabel(results, series.estimator, series.estimatorParams)),
  ];
  const styles = createChartStyles([...new Set(labels)], results.config.backends);
  return [...builtInCharts.values()].map((definition) => ({ definition, specs: definition.plan(results, styles) }));
}

/** Renders every chart of the plan to PNG in the output directory. */
export const chartsReporter: Reporter = {
  id: 'charts',
  async report(results, outDir) {
    await mkdir(outDir, { recursive: true });
    const render = createChartRenderer();
    const written: string[] = [];
    for (const { specs } of planCharts(results)) {
      for (const spec of specs) {
        const path = join(outDir, spec.file);
        await writeFile(path, await render(spec));
        written.push(path);
      }
    }
    return written;
  },
};
