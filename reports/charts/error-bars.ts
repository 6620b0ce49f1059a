/**
 * A Chart.js plug-in that draws error bars from `yMin`/`yMax` (vertical) or `xMin`/`xMax`
 * (horizontal) on a data point, in the dataset's border colour. Chart.js has none built in.
 */
import type { Chart, Plugin } from 'chart.js';

/** A data point that may carry an interval. */
export interface PointWithInterval {
  readonly x: number | string;
  readonly y: number | string;
  readonly yMin?: number;
  readonly yMax?: number;
  readonly xMin?: number;
  readonly xMax?: number;
}

const capHalfWidth = 5;

/** Pixel of `value` on a scale, kept inside the plot; a bound at or below zero on a log scale goes to the plot's edge. */
function pixel(chart: Chart, scaleId: string, value: number, edge: number): number {
  const scale = chart.scales[scaleId];
  if (scale.type === 'logarithmic' && value <= 0) return edge;
  const { top, bottom, left, right } = chart.chartArea;
  const position = scale.getPixelForValue(value);
  return scale.isHorizontal() ? Math.min(right, Math.max(left, position)) : Math.min(bottom, Math.max(top, position));
}

/** The error-bar plug-in; pass it in a chart's `plugins`. */
export const errorBarsPlugin: Plugin = {
  id: 'estibenchErrorBars',
  afterDatasetsDraw(chart) {
    const { ctx, chartArea } = chart;
    chart.data.datasets.forEach((dataset, datasetIndex) => {
      const meta = chart.getDatasetMeta(datasetIndex);
      if (meta.hidden) return;
      ctx.save();
      ctx.strokeStyle = String(dataset.borderColor ?? '#333');
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      (dataset.data as unknown[]).forEach((raw, index) => {
        const point = raw as PointWithInterval | null;
        const element = meta.data[index];
        if (!point || !element) return;
        if (point.yMin !== undefined && point.yMax !== undefined) {
          const low = pixel(chart, meta.yAxisID ?? 'y', point.yMin, chartArea.bottom);
          const high = pixel(chart, meta.yAxisID ?? 'y', point.yMax, chartArea.top);
          ctx.moveTo(element.x, low); ctx.lineTo(element.x, high);
          ctx.moveTo(element.x - capHalfWidth, low); ctx.lineTo(element.x + capHalfWidth, low);
          ctx.moveTo(element.x - capHalfWidth, high); ctx.lineTo(element.x + capHalfWidth, high);
        }
        if (point.xMin !== undefined && point.xMax !== undefined) {
          const low = pixel(chart, meta.xAxisID ?? 'x', point.xMin, chartArea.left);
          const high = pixel(chart, meta.xAxisID ?? 'x', point.xMax, chartArea.right);
          ctx.moveTo(low, element.y); ctx.lineTo(high, element.y);
          ctx.moveTo(low, element.y - capHalfWidth); ctx.lineTo(low, element.y + capHalfWidth);
          ctx.moveTo(high, element.y - capHalfWidth); ctx.lineTo(high, element.y + capHalfWidth);
        }
      });
      ctx.stroke();
      ctx.restore();
    });
  },
};
