/** Renders chart specs to PNG with Chart.js on node-canvas (chartjs-node-canvas), on a white background. */
import { ChartJSNodeCanvas } from 'chartjs-node-canvas';
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

/** A renderer holds a canvas; create one per report and let it go afterwards. */
export function createChartRenderer(): (spec: ChartSpec) => Promise<Buffer> {
  const canvas = new ChartJSNodeCanvas({
    ...chartSize,
    backgroundColour: 'white',
    chartCallback: (ChartJS) => {
      // DejaVu Sans ships with every Debian and Ubuntu image; the browser defaults (Helvetica) do not.
      ChartJS.defaults.font.family = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif";
      ChartJS.defaults.color = '#222';
    },
  });
  return (spec) => {
    const { configuration } = spec;
    return canvas.renderToBuffer({
      ...configuration,
      options: withLegendThatFits({ ...configuration.options, devicePixelRatio: chartScale }, configuration.data.datasets),
      plugins: [...(configuration.plugins ?? []), errorBarsPlugin],
    } as typeof configuration, 'image/png');
  };
}
