/**
 * Renders chart specs to PNG with Chart.js on @napi-rs/canvas (Skia, prebuilt binaries from the npm
 * registry: nothing to compile, no system library to install), on a white background.
 */
import { createCanvas } from '@napi-rs/canvas';
import { Chart, registerables, type Plugin } from 'chart.js';
import type { ChartSpec } from './chart.js';
import { errorBarsPlugin } from './error-bars.js';

/** Size of every chart in CSS pixels; the PNG is this times `chartScale`. */
export const chartSize = Object.freeze({ width: 900, height: 540 });
/** Device scale factor: 2 keeps text and markers sharp when the PNG is shown at full width. */
export const chartScale = 2;

/** Pixel size of the PNG files. */
export const chartPixels = Object.freeze({ width: chartSize.width * chartScale, height: chartSize.height * chartScale });

/** Legend labels longer than this (grid variants such as `gumbel-softmax tau=0.25 seed 2`) would be cut off at the right. */
const longestLabelOnTheRight = 24;

/** The legend moves below the plot when its labels are too long to fit at the right. */
function withLegendThatFits(options: Record<string, unknown>, datasets: ReadonlyArray<{ label?: string }>): Record<string, unknown> {
  const longest = Math.max(0, ...datasets.map((dataset) => dataset.label?.length ?? 0));
  if (longest <= longestLabelOnTheRight) return options;
  const plugins = (options.plugins ?? {}) as Record<string, Record<string, unknown>>;
  return { ...options, plugins: { ...plugins, legend: { ...plugins.legend, position: 'bottom' } } };
}

/** Paints the background white under the chart (a PNG is otherwise transparent). */
const whiteBackground: Plugin = {
  id: 'estibench-white-background',
  beforeDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = 'white';
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

/** A renderer draws each chart on a fresh canvas; create one per report and let it go afterwards. */
export function createChartRenderer(): (spec: ChartSpec) => Promise<Buffer> {
  Chart.register(...registerables);
  // DejaVu Sans ships with every Debian and Ubuntu image; the browser defaults (Helvetica) do not.
  Chart.defaults.font.family = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif";
  Chart.defaults.color = '#222';
  return async (spec) => {
    const { configuration } = spec;
    const canvas = createCanvas(chartSize.width, chartSize.height);
    // Chart.js sizes the canvas through its style when it has one; a plain object keeps it off the DOM path.
    Object.assign(canvas, { style: {} });
    const chart = new Chart(canvas as unknown as HTMLCanvasElement, {
      ...configuration,
      options: withLegendThatFits({ ...configuration.options, responsive: false, animation: false, devicePixelRatio: chartScale }, configuration.data.datasets),
      plugins: [...(configuration.plugins ?? []), errorBarsPlugin, whiteBackground],
    } as typeof configuration);
    try {
      return canvas.toBuffer('image/png');
    } finally {
      chart.destroy();
    }
  };
}
