/** What a chart is, and option helpers every chart shares (titles, axes, legend). */
import type { ChartConfiguration, ScaleType } from 'chart.js';
import type { BenchResults } from '../../core/types.js';
import { formatNumber } from '../format.js';
import type { ChartStyles } from './palette.js';

/** One PNG to render. */
export interface ChartSpec {
  /** File name in the output directory, e.g. `bias-variance-bernoulli-toy.png`. */
  readonly file: string;
  readonly title: string;
  /** One sentence on how to read it, shown under the image in report.md. */
  readonly caption: string;
  readonly configuration: ChartConfiguration;
}

/** A kind of chart: which PNGs it draws from a results object. */
export interface ChartDefinition {
  /** Registry key. */
  readonly id: string;
  readonly title: string;
  /** Charts for these results; empty when the data they need is absent. */
  plan(results: BenchResults, styles: ChartStyles): ChartSpec[];
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

/**
 * Log-axis tick labels at 1, 2 and 5 times a power of ten, or at powers of ten only when the axis spans
 * more than four decades, so they never crowd or overlap.
 */
function logTickLabel(this: { min: number; max: number }, value: number | string): string {
  const number = Number(value);
  const mantissa = number / 10 ** Math.floor(Math.log10(number));
  const nice = Math.log10(this.max / this.min) > 4 ? [1, 10] : [1, 2, 5, 10];
  return nice.some((candidate) => Math.abs(mantissa - candidate) < 1e-6) ? formatNumber(number, 1) : '';
}

/** A titled axis; `unit` goes in brackets after the title. Optional `values` set a log axis's range with some margin. */
export function axis(type: ScaleType, title: string, unit?: string, values: readonly number[] = []): Record<string, unknown> {
  const positive = values.filter((value) => value > 0 && Number.isFinite(value));
  const range = type === 'logarithmic' && positive.length > 0 ? { min: Math.min(...positive) / 1.6, max: Math.max(...positive) * 1.6 } : {};
  return {
    type,
    ...range,
    title: { display: true, text: unit ? `${title} [${unit}]` : title, font: { size: 14, weight: 'bold' } },
    // On log axes only labelled ticks get a visible grid line: minor lines at every 1..9 would crowd the plot.
    grid: { color: type === 'logarithmic' ? (context: { tick?: { label?: unknown } }) => (context.tick?.label ? '#e0e0e0' : '#f4f4f4') : '#e5e5e5' },
    ticks: { font: { size: 12 }, maxRotation: 0, ...(type === 'logarithmic' ? { autoSkip: false, callback: logTickLabel } : {}) },
  };
}

/** Title, subtitle and a legend outside the plot area (right) so it never covers data. */
export function commonOptions(title: string, subtitle: string, legend = true): Record<string, unknown> {
  return {
    responsive: false,
    animation: false,
    layout: { padding: { top: 8, right: 16, bottom: 8, left: 8 } },
    plugins: {
      title: { display: true, text: title, font: { size: 18, weight: 'bold' }, padding: { top: 4, bottom: 4 } },
      subtitle: { display: subtitle !== '', text: subtitle, font: { size: 13 }, color: '#444', padding: { bottom: 12 } },
      legend: {
        display: legend,
        position: 'right',
        labels: { usePointStyle: true, font: { size: 13 }, padding: 12, filter: (item: { text?: string }) => Boolean(item.text) },
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
