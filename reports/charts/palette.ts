/**
 * One style per estimator variant for a whole report (colour, marker and line dash), the same in every
 * chart and in report.html, and how a backend changes it (hollow markers, lighter bars).
 */
import type { PointStyle } from 'chart.js';
import type { BenchResults } from '../../core/types.js';
import { variantLabel } from '../cells.js';

/**
 * Okabe–Ito's colours (chosen to stay apart under the common colour-vision deficiencies; its yellow
 * left out, too faint on white) and one darker purple. Past eight series colours repeat, and then the
 * marker and the dash differ, so colour is never the only cue.
 */
export const estimatorColours = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#000000', '#6A3D9A'] as const;

/** Marker shapes that stay apart at 8 px, filled or hollow (a downward triangle is the triangle turned 180°). */
export const estimatorMarkers: ReadonlyArray<{ readonly pointStyle: PointStyle; readonly rotation: number; readonly name: string }> = [
  { pointStyle: 'circle', rotation: 0, name: 'circle' },
  { pointStyle: 'rect', rotation: 0, name: 'square' },
  { pointStyle: 'triangle', rotation: 0, name: 'triangle' },
  { pointStyle: 'rectRot', rotation: 0, name: 'diamond' },
  { pointStyle: 'triangle', rotation: 180, name: 'downward triangle' },
  { pointStyle: 'crossRot', rotation: 0, name: 'x' },
  { pointStyle: 'star', rotation: 0, name: 'star' },
  { pointStyle: 'cross', rotation: 0, name: 'plus' },
];

/** Line dashes per round of eight estimators: solid, dashed, dotted, dash-dot. */
export const estimatorDashes: ReadonlyArray<readonly number[]> = [[], [9, 4], [2, 3], [9, 3, 2, 3]];

/** How one estimator variant looks in every chart of a report. */
export interface EstimatorStyle {
  readonly colour: string;
  readonly marker: PointStyle;
  /** Degrees; 180 turns the triangle into a downward one. */
  readonly rotation: number;
  readonly dash: readonly number[];
}

/** How one backend changes an estimator's look: markers filled for the run's first backend, hollow for the others. */
export interface BackendStyle {
  readonly filledMarker: boolean;
}

/** Styles of a report. */
export interface ChartStyles {
  estimator(id: string): EstimatorStyle;
  backend(id: string): BackendStyle;
}

/**
 * The style of slot `slot`: colours cycle every 8 slots and the marker shifts by one more each round,
 * so any two of the first 64 slots differ in colour or marker, and two that share a colour differ in
 * marker and (up to 32 slots) in dash.
 */
export function styleOfSlot(slot: number): EstimatorStyle {
  const round = Math.floor(slot / estimatorColours.length);
  const marker = estimatorMarkers[(slot + round) % estimatorMarkers.length];
  return {
    colour: estimatorColours[slot % estimatorColours.length],
    marker: marker.pointStyle,
    rotation: marker.rotation,
    dash: estimatorDashes[round % estimatorDashes.length],
  };
}

/**
 * The estimator variants of a run in the order the run lists its estimators (`config.estimators`,
 * plug-ins included), each estimator's variants in order of first appearance, completed ones only: the
 * slots of the styles.
 */
export function estimatorVariantOrder(results: BenchResults): string[] {
  const appearances = [
    // Only what a chart can show: an estimator that supports none of the run's suites takes no slot.
    ...results.cells.filter((cell) => cell.state === 'completed').map((cell) => [cell.estimator, cell.estimatorParams] as const),
    ...(results.sweeps?.logit?.series ?? []).filter((series) => series.state === 'completed').map((series) => [series.estimator, series.estimatorParams] as const),
    ...(results.scaling?.series ?? []).filter((series) => series.state === 'completed').map((series) => [series.estimator, series.estimatorParams] as const),
  ];
  const rank = (estimator: string) => { const index = results.config.estimators.indexOf(estimator); return index < 0 ? Number.MAX_SAFE_INTEGER : index; };
  const seen = new Map<string, { estimator: string; order: number }>();
  for (const [estimator, params] of appearances) {
    const label = variantLabel(results, estimator, params);
    if (!seen.has(label)) seen.set(label, { estimator, order: seen.size });
  }
  return [...seen].sort(([, a], [, b]) => rank(a.estimator) - rank(b.estimator) || a.order - b.order).map(([label]) => label);
}

/** Styles for the estimator variants of a run (slots in `estimatorIds` order) and its backends. */
export function createChartStyles(estimatorIds: readonly string[], backendIds: readonly string[]): ChartStyles {
  const slots = new Map(estimatorIds.map((id, slot) => [id, slot]));
  return {
    // An id outside the run's list (none in practice) gets a slot after the listed ones, never a listed one's style.
    estimator: (id) => styleOfSlot(slots.get(id) ?? estimatorIds.length),
    backend: (id) => ({ filledMarker: Math.max(0, backendIds.indexOf(id)) === 0 }),
  };
}

/** `#rrggbb` with an alpha, for bands and bar fills. */
export function withAlpha(colour: string, alpha: number): string {
  const value = Number.parseInt(colour.slice(1), 16);
  return `rgba(${(value >> 16) & 255}, ${(value >> 8) & 255}, ${value & 255}, ${alpha})`;
}

/** Chart.js dataset colours, dash and marker of one estimator × backend line or point. */
export function lineLook(styles: ChartStyles, estimator: string, backend: string): Record<string, unknown> {
  const look = styles.estimator(estimator);
  return {
    borderColor: look.colour,
    backgroundColor: styles.backend(backend).filledMarker ? look.colour : '#ffffff',
    pointBackgroundColor: styles.backend(backend).filledMarker ? look.colour : '#ffffff',
    borderDash: [...look.dash],
    pointStyle: look.marker,
    rotation: look.rotation,
    pointRotation: look.rotation,
  };
}

/** Chart.js dataset look of one estimator × backend point in a scatter chart (no line). */
export function pointLook(styles: ChartStyles, estimator: string, backend: string): Record<string, unknown> {
  return { ...lineLook(styles, estimator, backend), pointRadius: 8, pointHoverRadius: 10, pointBorderWidth: 2 };
}
