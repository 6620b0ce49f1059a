/** Moments of batches of gradient estimates: the one representation every backend and the harness reduce to. */

/** Per-unit moments of a batch of single-sample estimates. */
export interface BatchMoments {
  readonly count: number;
  readonly mean: Float64Array;
  /** Sum of squared deviations from the batch mean, per unit. */
  readonly sumOfSquaredDeviations: Float64Array;
}

/** Merges per-batch moments exactly (Chan et al.'s pairwise update), in float64. */
export function mergeMoments(left: BatchMoments, right: BatchMoments): BatchMoments {
  const count = left.count + right.count;
  const mean = new Float64Array(left.mean.length);
  const sumOfSquaredDeviations = new Float64Array(left.mean.length);
  for (let unit = 0; unit < mean.length; unit++) {
    const delta = right.mean[unit] - left.mean[unit];
    mean[unit] = left.mean[unit] + (delta * right.count) / count;
    sumOfSquaredDeviations[unit] =
      left.sumOfSquaredDeviations[unit] + right.sumOfSquaredDeviations[unit] + (delta * delta * left.count * right.count) / count;
  }
  return { count, mean, sumOfSquaredDeviations };
}

/**
 * Per-column moments of `count` rows of `width` numbers (two passes, float64): the moments of `count`
 * single estimates of a gradient vector.
 */
export function momentsOfRows(rows: Float64Array, count: number, width: number): BatchMoments {
  // One estimate (a training step on one minibatch): its row is the mean, with no spread. The row is
  // handed on as it is, not copied: the rows are the caller's fresh estimates, read only from here on.
  if (count === 1) return { count, mean: rows.subarray(0, width), sumOfSquaredDeviations: new Float64Array(width) };
  const mean = new Float64Array(width);
  for (let row = 0; row < count; row++) {
    const base = row * width;
    for (let column = 0; column < width; column++) mean[column] += rows[base + column];
  }
  for (let column = 0; column < width; column++) mean[column] /= count;
  const sumOfSquaredDeviations = new Float64Array(width);
  for (let row = 0; row < count; row++) {
    const base = row * width;
    for (let column = 0; column < width; column++) {
      const deviation = rows[base + column] - mean[column];
      sumOfSquaredDeviations[column] += deviation * deviation;
    }
  }
  return { count, mean, sumOfSquaredDeviations };
}
