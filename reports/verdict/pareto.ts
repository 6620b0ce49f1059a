/**
 * The Pareto set over (MSE, cost) with noise: an estimator leaves the set only when another one is
 * better beyond noise in one of the two and not worse beyond noise in the other. Ties stay in the set,
 * so the set never rests on a difference within noise.
 */
import { compareMeasured, type Measured } from './noise.js';

/** One estimator as a point of the trade-off. */
export interface TradeOffPoint {
  readonly label: string;
  readonly mse: Measured;
  /** Objective evaluations (exact: standard error 0) or time per estimate (noise: its median absolute deviation). */
  readonly cost: Measured;
}

/** The set and, for every point outside it, one point that dominates it. */
export interface ParetoResult {
  /** Labels in the set, cheapest first. */
  readonly members: readonly string[];
  readonly dominatedBy: ReadonlyMap<string, string>;
  /**
   * The members that make the staircase a chart draws: cheapest first, each with a lower MSE (point
   * estimate) than the one before. Members left off it are within noise of it.
   */
  readonly front: readonly TradeOffPoint[];
}

/** Whether `a` dominates `b`: no worse beyond noise in MSE and cost, better beyond noise in one. */
export function dominates(a: TradeOffPoint, b: TradeOffPoint): boolean {
  const mse = compareMeasured(a.mse, b.mse);
  const cost = compareMeasured(a.cost, b.cost);
  const noWorse = (order: string) => order === 'lower' || order === 'tie';
  return noWorse(mse) && noWorse(cost) && (mse === 'lower' || cost === 'lower');
}

/** The noisy Pareto set of `points` (see the file's comment). */
export function paretoSet(points: readonly TradeOffPoint[]): ParetoResult {
  const dominatedBy = new Map<string, string>();
  for (const point of points) {
    const winner = points.find((other) => other !== point && dominates(other, point));
    if (winner) dominatedBy.set(point.label, winner.label);
  }
  const byCost = [...points].sort((left, right) => left.cost.value - right.cost.value || left.mse.value - right.mse.value);
  const front: TradeOffPoint[] = [];
  for (const point of byCost) {
    if (dominatedBy.has(point.label)) continue;
    if (front.length === 0 || point.mse.value < front[front.length - 1].mse.value) front.push(point);
  }
  return { members: byCost.filter((point) => !dominatedBy.has(point.label)).map((point) => point.label), dominatedBy, front };
}
