/**
 * When two measured numbers differ: the one rule every ranking, Pareto set and sentence of the verdict
 * uses, so that no report calls a difference that is within noise.
 */

/** A score with its standard error; `stdErr` is absent when the results carry no estimate of its noise. */
export interface Measured {
  readonly value: number;
  readonly stdErr?: number;
}

/**
 * A difference is called when it exceeds this many standard errors of the difference,
 * k·√(SE_a² + SE_b²): about a 5% chance of calling a difference between two equal scores.
 */
export const callK = 2;

/**
 * How `a` stands against `b`: `lower` or `higher` when the difference exceeds `callK` standard errors
 * of the difference, `tie` when it does not, `untested` when either has no standard error (one training
 * seed) and the values differ. Exact numbers (evaluations per estimate) carry a standard error of 0.
 */
export type Order = 'lower' | 'tie' | 'higher' | 'untested';

/** Relative floor under which two values are the same number (float noise of exact values). */
const sameNumber = 1e-9;

/** Compares two measured values (see `Order`). */
export function compareMeasured(a: Measured, b: Measured): Order {
  const difference = a.value - b.value;
  if (Math.abs(difference) <= sameNumber * Math.max(Math.abs(a.value), Math.abs(b.value))) return 'tie';
  if (a.stdErr === undefined || b.stdErr === undefined) return 'untested';
  if (Math.abs(difference) <= callK * Math.hypot(a.stdErr, b.stdErr)) return 'tie';
  return difference < 0 ? 'lower' : 'higher';
}

/** The same order with better meaning higher (accuracy): `lower` still means better. */
export function compareBetter(a: Measured, b: Measured, better: 'lower' | 'higher'): Order {
  const order = compareMeasured(a, b);
  if (better === 'lower' || order === 'tie' || order === 'untested') return order;
  return order === 'lower' ? 'higher' : 'lower';
}

/**
 * Mean of per-seed values and the standard error of that mean (seeds are independent); the standard
 * error is absent when any seed's is.
 */
export function meanOfMeasured(values: readonly Measured[]): Measured {
  const value = values.reduce((total, entry) => total + entry.value, 0) / values.length;
  if (values.some((entry) => entry.stdErr === undefined)) return { value };
  return { value, stdErr: Math.hypot(...values.map((entry) => entry.stdErr ?? 0)) / values.length };
}

/** `a·b` with the standard error of a product of independent measurements (first order). */
export function productMeasured(a: Measured, b: Measured): Measured {
  const value = a.value * b.value;
  if (a.stdErr === undefined || b.stdErr === undefined) return { value };
  return { value, stdErr: Math.hypot(a.stdErr * b.value, b.stdErr * a.value) };
}

/** `a + b` of independent measurements. */
export function sumMeasured(a: Measured, b: Measured): Measured {
  const value = a.value + b.value;
  if (a.stdErr === undefined || b.stdErr === undefined) return { value };
  return { value, stdErr: Math.hypot(a.stdErr, b.stdErr) };
}

/** Complementary error function (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const polynomial = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const value = t * Math.exp(polynomial);
  return x >= 0 ? value : 2 - value;
}

/** P(Z > z) of a standard normal Z. */
export function normalUpperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** The z with P(Z > z) = `tail` (0 < tail < 0.5), by bisection on the tail function. */
export function normalUpperQuantile(tail: number): number {
  let low = 0;
  let high = 40;
  for (let iteration = 0; iteration < 100; iteration++) {
    const middle = (low + high) / 2;
    if (normalUpperTail(middle) > tail) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}
