/** Built-in charts keyed by id, in the order report.md shows them, and the reporter that renders them. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchResults } from '../../core/types.js';
import type { Reporter } from '../reporter.js';
import { alongTrainingChart } from './along-training.js';
import { biasVarianceChart } from './bias-variance.js';
import type { ChartDefinition, ChartSpec } from './chart.js';
import { coarseGradientChart } from './coarse-gradient.js';
import { groupSizeChart } from './group-size.js';
import { logitSweepChart } from './logit-sweep.js';
import { negativeElboChart } from './negative-elbo.js';
import { paretoChart } from './pareto.js';
import { createChartStyles, estimatorVariantOrder } from './palette.js';
import { populationLossChart } from './population-loss.js';
import { createChartRenderer } from './render.js';
import { scalingChart } from './scaling.js';
import { speedChart } from './speed.js';
import { testAccuracyChart } from './test-accuracy.js';
import { trainingCurvesChart } from './training-curves.js';
import { varianceCostChart } from './variance-cost.js';

export type { ChartDefinition, ChartSpec } from './chart.js';
export { chartPixels } from './render.js';

/** What one chart kind draws from a results object: its charts, and notes on those it leaves out and why. */
export interface ChartPlan {
  readonly definition: ChartDefinition;
  readonly specs: ChartSpec[];
  /** E.g. a chart that would carry no information at the run's settings. */
  readonly skipped: string[];
}

/** Built-in charts keyed by id. */
export const builtInCharts: ReadonlyMap<string, ChartDefinition> = new Map(
  [
    biasVarianceChart, logitSweepChart, trainingCurvesChart, alongTrainingChart, speedChart, scalingChart,
    populationLossChart, coarseGradientChart, testAccuracyChart, negativeElboChart, varianceCostChart, groupSizeChart,
    paretoChart,
  ].map((chart) => [chart.id, chart]),
);

/** What each chart kind draws from these results (no rendering): its PNGs, or an empty list. */
export function planCharts(results: BenchResults): ChartPlan[] {
  // One style per estimator variant (an estimator at each value of a grid gets its own), in the run's estimator order.
  const styles = createChartStyles(estimatorVariantOrder(results), results.config.backends);
  return [...builtInCharts.values()].map((definition) => {
    const skipped: string[] = [];
    return { definition, specs: definition.plan(results, styles, (note) => skipped.push(note)), skipped };
  });
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
