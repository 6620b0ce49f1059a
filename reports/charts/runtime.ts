/**
 * What turns a chart configuration (plain data, so it can be written into report.html as JSON) into
 * a drawn Chart.js chart: callbacks for log-axis ticks, legends and tooltips, and the plug-ins for
 * error bars and for points that would hide each other. The PNG renderer and report.html run the same
 * code: `chartRuntime` uses nothing outside its body, and report.html inlines its source text.
 */
import type { Chart, ChartConfiguration, Plugin } from 'chart.js';

/** A data point as the charts of this project write it; Chart.js ignores the fields it does not know. */
export interface ChartPoint {
  readonly x: number | string | null;
  readonly y: number | string | null;
  /** Interval drawn as a vertical error bar (±1 standard error unless the caption says otherwise). */
  readonly yMin?: number;
  readonly yMax?: number;
  /** Interval drawn as a horizontal error bar. */
  readonly xMin?: number;
  readonly xMax?: number;
  /** Lines shown when the point is hovered in report.html: its value ± standard error, then the cell's parameters. */
  readonly tip?: readonly string[];
}

/** The runtime: `hydrate` a configuration, then draw it with `plugins`. */
export interface ChartRuntime {
  /** A copy of a data-only configuration with the callbacks its hints ask for. */
  hydrate(configuration: ChartConfiguration): ChartConfiguration;
  readonly plugins: Plugin[];
  /** Horizontal pixel offsets that spread points closer than `threshold` pixels apart, `spacing` apart, centred on their place. */
  dodgeOffsets(points: ReadonlyArray<{ readonly x: number; readonly y: number }>, threshold: number, spacing: number): number[];
}

/**
 * Hints a configuration may carry (all plain data):
 * - `options.scales.<id>.ticksAt`: the only tick values (measured sizes that are not powers of ten);
 * - `options.scales.<id>.integerTicks: true`: labels at whole numbers only (counts on a log axis);
 * - `options.plugins.estibenchDodge: true`: spread points that would overlap (scatter charts);
 * - `options.plugins.legend.neutralSwatches: true`: legend swatches from each dataset's `legendColour`
 *   (bar datasets coloured per bar);
 * - a data point's `tip`: the lines of its tooltip.
 * The source of this function is inlined in report.html: it must not use anything from outside it.
 */
export function chartRuntime(): ChartRuntime {
  const longestLabelOnTheRight = 24;
  const capHalfWidth = 5;
  const arrowSize = 7;

  function formatNumber(value: number): string {
    if (!Number.isFinite(value)) return String(value);
    if (value === 0) return '0';
    const magnitude = Math.abs(value);
    if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(0);
    return Number(value.toPrecision(3)).toLocaleString('en-US');
  }

  /** Log-axis labels at 1, 2 and 5 times a power of ten, or at powers of ten only past four decades, so they never crowd. */
  function logTickLabel(this: { min: number; max: number }, value: number | string): string {
    const number = Number(value);
    const mantissa = number / 10 ** Math.floor(Math.log10(number));
    const nice = Math.log10(this.max / this.min) > 4 ? [1, 10] : [1, 2, 5, 10];
    return nice.some((candidate) => Math.abs(mantissa - candidate) < 1e-6) ? formatNumber(number) : '';
  }

  function hydrate(configuration: ChartConfiguration): ChartConfiguration {
    const copy = JSON.parse(JSON.stringify(configuration)) as ChartConfiguration;
    const options: Record<string, any> = copy.options ?? {};
    copy.options = options;
    for (const scale of Object.values((options.scales ?? {}) as Record<string, any>)) {
      if (scale.type === 'logarithmic') {
        scale.ticks = { ...scale.ticks, autoSkip: false, callback: logTickLabel };
        // Only labelled ticks get a visible grid line: minor lines at every 1..9 would crowd the plot.
        scale.grid = { ...scale.grid, color: (context: { tick?: { label?: unknown } }) => (context.tick?.label ? '#e0e0e0' : '#f4f4f4') };
      }
      if (scale.integerTicks) {
        // Counts (objective evaluations per estimate): a label at whole numbers only.
        scale.ticks = { ...scale.ticks, autoSkip: false, callback: (value: number | string) => (Number.isInteger(Number(value)) ? String(Number(value)) : '') };
      }
      if (Array.isArray(scale.ticksAt)) {
        const values: number[] = scale.ticksAt;
        scale.afterBuildTicks = (built: { ticks: Array<{ value: number }> }) => { built.ticks = values.map((value) => ({ value })); };
        scale.ticks = { ...scale.ticks, callback: (value: number | string) => String(value) };
      }
    }
    const plugins = (options.plugins ??= {});
    const legend = (plugins.legend ??= {});
    legend.labels = { ...legend.labels, filter: (item: { text?: string }) => Boolean(item.text) };
    if (legend.neutralSwatches) {
      legend.labels.generateLabels = (chart: Chart) => chart.data.datasets.map((dataset: any, index: number) => ({
        text: dataset.label, fillStyle: dataset.legendColour ?? '#888888', strokeStyle: '#333333', lineWidth: 1,
        hidden: !chart.isDatasetVisible(index), datasetIndex: index, pointStyle: 'rect',
      }));
    }
    // A legend whose labels are too long to fit at the right goes below the plot.
    const longest = Math.max(0, ...copy.data.datasets.map((dataset: { label?: string }) => String(dataset.label ?? '').length));
    if (legend.position === 'right' && longest > longestLabelOnTheRight) legend.position = 'bottom';
    plugins.tooltip = {
      ...plugins.tooltip,
      callbacks: {
        title: (items: Array<{ dataset: { label?: string } }>) => items[0]?.dataset.label ?? '',
        label: (item: { raw: any; formattedValue: string; label: string }) => {
          const raw = item.raw;
          if (raw && Array.isArray(raw.tip)) return raw.tip;
          return `${item.label ? `${item.label}: ` : ''}${item.formattedValue}`;
        },
      },
    };
    return copy;
  }

  /** Pixel of `value` on a scale, and whether it lies beyond the plot (a bound at or below zero on a log scale always does). */
  function place(chart: Chart, scaleId: string, value: number): { pixel: number; beyond: 'low' | 'high' | null } {
    const scale = chart.scales[scaleId];
    const { top, bottom, left, right } = chart.chartArea;
    const [low, high] = scale.isHorizontal() ? [left, right] : [bottom, top];
    if (scale.type === 'logarithmic' && value <= 0) return { pixel: low, beyond: 'low' };
    const position = scale.getPixelForValue(value);
    const [min, max] = [Math.min(low, high), Math.max(low, high)];
    if (position < min || position > max) {
      const atLow = Math.abs(position - low) < Math.abs(position - high) || (scale.isHorizontal() ? position < min : position > max);
      return { pixel: atLow ? low : high, beyond: atLow ? 'low' : 'high' };
    }
    return { pixel: position, beyond: null };
  }

  /** A cap across the bar's end, or an open arrowhead pointing out of the plot where the interval runs beyond it. */
  function drawEnd(ctx: CanvasRenderingContext2D, vertical: boolean, along: number, across: number, beyond: boolean, outward: number): void {
    if (!beyond) {
      if (vertical) { ctx.moveTo(across - capHalfWidth, along); ctx.lineTo(across + capHalfWidth, along); } else { ctx.moveTo(along, across - capHalfWidth); ctx.lineTo(along, across + capHalfWidth); }
      return;
    }
    const back = along - outward * arrowSize;
    if (vertical) {
      ctx.moveTo(across - arrowSize * 0.7, back); ctx.lineTo(across, along); ctx.lineTo(across + arrowSize * 0.7, back);
    } else {
      ctx.moveTo(back, across - arrowSize * 0.7); ctx.lineTo(along, across); ctx.lineTo(back, across + arrowSize * 0.7);
    }
  }

  const errorBars: Plugin = {
    id: 'estibenchErrorBars',
    afterDatasetsDraw(chart) {
      const { ctx } = chart;
      chart.data.datasets.forEach((dataset, datasetIndex) => {
        const meta = chart.getDatasetMeta(datasetIndex);
        if (!chart.isDatasetVisible(datasetIndex)) return;
        ctx.save();
        // Bars coloured one by one (an array of colours) get dark error bars.
        ctx.strokeStyle = typeof dataset.borderColor === 'string' ? dataset.borderColor : '#222222';
        ctx.lineWidth = 1.5;
        ctx.setLineDash([]);
        ctx.beginPath();
        (dataset.data as unknown[]).forEach((raw, index) => {
          const point = raw as ChartPoint | null;
          const element = meta.data[index];
          if (!point || !element || point.y === null) return;
          if (point.yMin !== undefined && point.yMax !== undefined) {
            const low = place(chart, meta.yAxisID ?? 'y', point.yMin);
            const high = place(chart, meta.yAxisID ?? 'y', point.yMax);
            ctx.moveTo(element.x, low.pixel); ctx.lineTo(element.x, high.pixel);
            // Canvas y grows downwards: the low end points down (+1), the high end up (−1).
            drawEnd(ctx, true, low.pixel, element.x, low.beyond !== null, low.pixel >= high.pixel ? 1 : -1);
            drawEnd(ctx, true, high.pixel, element.x, high.beyond !== null, low.pixel >= high.pixel ? -1 : 1);
          }
          if (point.xMin !== undefined && point.xMax !== undefined) {
            const low = place(chart, meta.xAxisID ?? 'x', point.xMin);
            const high = place(chart, meta.xAxisID ?? 'x', point.xMax);
            ctx.moveTo(low.pixel, element.y); ctx.lineTo(high.pixel, element.y);
            drawEnd(ctx, false, low.pixel, element.y, low.beyond !== null, -1);
            drawEnd(ctx, false, high.pixel, element.y, high.beyond !== null, 1);
          }
        });
        ctx.stroke();
        ctx.restore();
      });
    },
  };

  function dodgeOffsets(points: ReadonlyArray<{ readonly x: number; readonly y: number }>, threshold: number, spacing: number): number[] {
    // Clusters: points linked by chains of neighbours closer than the threshold.
    const cluster = points.map((_, index) => index);
    const root = (index: number): number => (cluster[index] === index ? index : (cluster[index] = root(cluster[index])));
    for (let i = 0; i < points.length; i++) {
      for (let j = i + 1; j < points.length; j++) {
        if (Math.hypot(points[i].x - points[j].x, points[i].y - points[j].y) < threshold) cluster[root(j)] = root(i);
      }
    }
    const members = new Map<number, number[]>();
    points.forEach((_, index) => members.set(root(index), [...(members.get(root(index)) ?? []), index]));
    const offsets = points.map(() => 0);
    for (const group of members.values()) group.forEach((index, rank) => { offsets[index] = (rank - (group.length - 1) / 2) * spacing; });
    return offsets;
  }

  const dodge: Plugin = {
    id: 'estibenchDodge',
    afterDatasetsUpdate(chart) {
      if (!(chart.options.plugins as Record<string, unknown> | undefined)?.estibenchDodge) return;
      const elements: Array<{ x: number; y: number }> = [];
      chart.data.datasets.forEach((dataset, datasetIndex) => {
        // Lines without markers (a Pareto front through the points) stay where their data put them.
        if ((dataset as { pointRadius?: unknown }).pointRadius === 0) return;
        if (chart.isDatasetVisible(datasetIndex)) elements.push(...(chart.getDatasetMeta(datasetIndex).data as unknown as Array<{ x: number; y: number }>));
      });
      const placed = elements.filter((element) => Number.isFinite(element.x) && Number.isFinite(element.y));
      const offsets = dodgeOffsets(placed.map((element) => ({ x: element.x, y: element.y })), 12, 14);
      placed.forEach((element, index) => { element.x += offsets[index]; });
    },
  };

  return { hydrate, plugins: [errorBars, dodge], dodgeOffsets };
}
