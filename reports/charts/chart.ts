/** What a chart is, and option helpers every chart shares (titles, axes, legend). */
import type { ChartConfiguration, ScaleType } from 'chart.js';
import type { BenchResults } from '../../core/types.js';
import type { ChartStyles } from './palette.js';

/** Default size of a chart in CSS pixels (a spec may ask for more height). */
export const chartSize = Object.freeze({ width: 900, height: 540 });

/** One PNG to render. */
export interface ChartSpec {
  /** File name in the output directory, e.g. `bias-variance-bernoulli-toy.png`. */
  readonly file: string;
  readonly title: string;
  /** One sentence on how to read it, shown under the image in report.md. */
  readonly caption: string;
  /** Plain data only (no functions): report.html embeds it as JSON; `chartRuntime` adds the callbacks. */
  readonly configuration: ChartConfiguration;
  /** Height in CSS pixels when the default (`chartSize.height`) is too small, e.g. a speed chart with many bars. */
  readonly height?: number;
  /** What report.html filters on: the suite and node kind the chart shows (absent: shown under every filter). */
  readonly suite?: string;
  readonly nodeKind?: string;
}

/** Says why a chart of this kind is not drawn for part of the results (e.g. it would carry no information at the run's settings). */
export type SkipNote = (note: string) => void;

/** A kind of chart: which PNGs it draws from a results object. */
export interface ChartDefinition {
  /** Registry key. */
  readonly id: string;
  readonly title: string;
  /** Charts for these results; empty when the data they need is absent. */
  plan(results: BenchResults, styles: ChartStyles, skip?: SkipNote): ChartSpec[];
  /** What to run to get the data when `plan` returns nothing (shown in report.md). */
  readonly howToGet: string;
}

/**
 * Logarithmic when the values span at least two decades, linear otherwise. With `dropNonPositive`
 * (charts that leave out points at or below zero) only the positive values count; otherwise any value
 * at or below zero forces a linear axis.
 */
export function scaleTypeFor(values: readonly number[], dropNonPositive = false): ScaleType {
  const finite = values.filter((value) => Number.isFinite(value) && (!dropNonPositive || value > 0));
  if (finite.length === 0 || finite.some((value) => value <= 0)) return 'linear';
  return Math.max(...finite) / Math.min(...finite) >= 100 ? 'logarithmic' : 'linear';
}

/** A titled axis; `unit` goes in brackets after the title. Optional `values` set a log axis's range with some margin. */
export function axis(type: ScaleType, title: string, unit?: string, values: readonly number[] = []): Record<string, unknown> {
  const positive = values.filter((value) => value > 0 && Number.isFinite(value));
  const range = type === 'logarithmic' && positive.length > 0 ? { min: Math.min(...positive) / 1.6, max: Math.max(...positive) * 1.6 } : {};
  return {
    type,
    ...range,
    title: { display: true, text: unit ? `${title} [${unit}]` : title, font: { size: 14, weight: 'bold' } },
    // Log axes get their tick labels and grid colours from chartRuntime (callbacks cannot travel as JSON).
    grid: { color: '#e5e5e5' },
    ticks: { font: { size: 12 }, maxRotation: 0 },
  };
}

/**
 * Title, subtitle and a legend outside the plot area (right) so it never covers data; `pluginHints`
 * are data-only switches for chartRuntime's plug-ins (e.g. `estibenchDodge`).
 */
export function commonOptions(title: string, subtitle: string, legend = true, pluginHints: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    responsive: false,
    animation: false,
    layout: { padding: { top: 8, right: 16, bottom: 8, left: 8 } },
    plugins: {
      ...pluginHints,
      title: { display: true, text: title, font: { size: 18, weight: 'bold' }, padding: { top: 4, bottom: 4 } },
      subtitle: { display: subtitle !== '', text: subtitle, font: { size: 13 }, color: '#444', padding: { bottom: 12 } },
      legend: {
        display: legend,
        position: 'right',
        // Unlabelled datasets (the bands of a training curve) are left out of the legend by chartRuntime.
        labels: { usePointStyle: true, font: { size: 13 }, padding: 12 },
      },
    },
  };
}

/** `estimator (backend)`, the label of a series. */
export function seriesLabel(estimator: string, backend: string, backendCount: number): string {
  return backendCount > 1 ? `${estimator} (${backend})` : estimator;
}

/** File-name-safe form of an id. */
export function fileSafe(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]+/g, '-');
}
