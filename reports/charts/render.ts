/**
 * Renders chart specs to PNG with Chart.js on @napi-rs/canvas (Skia, prebuilt binaries from the npm
 * registry: nothing to compile, no system library to install), on a white background.
 */
import { createCanvas } from '@napi-rs/canvas';
import { Chart, registerables, type Plugin } from 'chart.js';
import { chartSize, type ChartSpec } from './chart.js';
import { chartRuntime } from './runtime.js';

export { chartSize } from './chart.js';
/** Device scale factor: 2 keeps text and markers sharp when the PNG is shown at full width. */
export const chartScale = 2;

/** Pixel size of the PNG files of the default size. */
export const chartPixels = Object.freeze({ width: chartSize.width * chartScale, height: chartSize.height * chartScale });

/** DejaVu Sans ships with every Debian and Ubuntu image; the browser defaults (Helvetica) do not. */
export const chartFontFamily = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif";

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

/** A renderer draws each chart on a fresh canvas of its height; create one per report and let it go afterwards. */
export function createChartRenderer(): (spec: ChartSpec) => Promise<Buffer> {
  const runtime = chartRuntime();
  Chart.register(...registerables);
  Chart.defaults.font.family = chartFontFamily;
  Chart.defaults.color = '#222';
  return async (spec) => {
    const configuration = runtime.hydrate(spec.configuration);
    const canvas = createCanvas(chartSize.width, spec.height ?? chartSize.height);
    // Chart.js sizes the canvas through its style when it has one; a plain object keeps it off the DOM path.
    Object.assign(canvas, { style: {} });
    const chart = new Chart(canvas as unknown as HTMLCanvasElement, {
      ...configuration,
      options: { ...configuration.options, responsive: false, animation: false, devicePixelRatio: chartScale },
      plugins: [...(configuration.plugins ?? []), ...runtime.plugins, whiteBackground],
    } as typeof configuration);
    try {
      return canvas.toBuffer('image/png');
    } finally {
      chart.destroy();
    }
  };
}
