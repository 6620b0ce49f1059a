/** One colour and marker per estimator and one line dash per backend, shared by every chart. */
import type { PointStyle } from 'chart.js';

/** Okabe–Ito colours (safe for colour-blind readers; its yellow left out, too faint on white), then a few more. */
const colours = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#000000', '#8C564B', '#7F7F7F', '#BCBD22'];
const markers: PointStyle[] = ['circle', 'rect', 'triangle', 'rectRot', 'crossRot', 'star', 'rectRounded', 'cross'];
/** Solid for the first backend of a run, then dashed and dotted. */
const dashes: number[][] = [[], [8, 5], [2, 4]];

/** How one estimator looks in every chart of a report. */
export interface EstimatorStyle {
  readonly colour: string;
  readonly marker: PointStyle;
}

/** How one backend looks: line dash, and whether markers are filled (hollow ones tell a second backend apart in scatters). */
export interface BackendStyle {
  readonly dash: number[];
  readonly filledMarker: boolean;
}

/** Styles of a report. */
export interface ChartStyles {
  estimator(id: string): EstimatorStyle;
  backend(id: string): BackendStyle;
}

/**
 * Styles for the estimators and backends of a run, in the order the run lists its estimators (a plain
 * run lists the built-ins in registry order, so a colour means the same estimator in every such report).
 */
export function createChartStyles(estimatorIds: readonly string[], backendIds: readonly string[]): ChartStyles {
  const slots = new Map(estimatorIds.map((id, slot) => [id, slot]));
  return {
    estimator(id) {
      const slot = slots.get(id) ?? 0;
      return { colour: colours[slot % colours.length], marker: markers[slot % markers.length] };
    },
    backend(id) {
      const slot = Math.max(0, backendIds.indexOf(id));
      return { dash: dashes[slot % dashes.length], filledMarker: slot === 0 };
    },
  };
}

/** `#rrggbb` with an alpha, for bands and bar fills. */
export function withAlpha(colour: string, alpha: number): string {
  const value = Number.parseInt(colour.slice(1), 16);
  return `rgba(${(value >> 16) & 255}, ${(value >> 8) & 255}, ${value & 255}, ${alpha})`;
}

/** Chart.js dataset colours, dash and marker of one estimator x backend line. */
export function lineLook(styles: ChartStyles, estimator: string, backend: string): Record<string, unknown> {
  const look = styles.estimator(estimator);
  const backendLook = styles.backend(backend);
  return {
    borderColor: look.colour,
    backgroundColor: backendLook.filledMarker ? look.colour : '#ffffff',
    borderDash: backendLook.dash,
    pointStyle: look.marker,
  };
}
