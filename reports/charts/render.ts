/** Renders chart specs to PNG with Chart.js on node-canvas (chartjs-node-canvas), on a white background. */
import { ChartJSNodeCanvas } from 'chartjs-node-canvas';
import { chartSize, type ChartSpec } from './chart.js';
import { chartRuntime } from './runtime.js';

export { chartSize } from './chart.js';
/** Device scale factor: 2 keeps text and markers sharp when the PNG is shown at full width. */
export const chartScale = 2;

/** Pixel size of the PNG files of the default size. */
export const chartPixels = Object.freeze({ width: chartSize.width * chartScale, height: chartSize.height * chartScale });

/** DejaVu Sans ships with every Debian and Ubuntu image; the browser defaults (Helvetica) do not. */
export const chartFontFamily = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif";

/** A renderer holds a canvas per chart height; create one per report and let it go afterwards. */
export function createChartRenderer(): (spec: ChartSpec) => Promise<Buffer> {
  const runtime = chartRuntime();
  const canvases = new Map<number, ChartJSNodeCanvas>();
  const canvasOfHeight = (height: number) => {
    if (!canvases.has(height)) {
      canvases.set(height, new ChartJSNodeCanvas({
        width: chartSize.width,
        height,
        backgroundColour: 'white',
        chartCallback: (ChartJS) => {
          ChartJS.defaults.font.family = chartFontFamily;
          ChartJS.defaults.color = '#222';
        },
      }));
    }
    return canvases.get(height)!;
  };
  return (spec) => {
    const configuration = runtime.hydrate(spec.configuration);
    return canvasOfHeight(spec.height ?? chartSize.height).renderToBuffer({
      ...configuration,
      options: { ...configuration.options, devicePixelRatio: chartScale },
      plugins: [...(configuration.plugins ?? []), ...runtime.plugins],
    } as typeof configuration, 'image/png');
  };
}
