/**
 * Forward kernel of the categorical estimators that hand downstream a true sample: the one-hot
 * D ~ Categorical(pi), pi = softmax(theta), drawn by the exponential race D = argmin_j E_j / pi_j with
 * E_j i.i.d. Exp(1) — the Gumbel-max trick argmax_j (theta_j + G_j) with G_j = −log E_j. This element's
 * h is 1 when its class wins. Reads the unit's first K exponential draws.
 */
export function categoricalSample(
  probabilities: ArrayLike<number>, exponentials: ArrayLike<number>, unitStart: number, noiseStart: number, classes: number, classIndex: number,
): number {
  let winner = 0;
  let best = exponentials[noiseStart] / probabilities[unitStart];
  for (let j = 1; j < classes; j++) {
    const arrival = exponentials[noiseStart + j] / probabilities[unitStart + j];
    if (arrival < best) {
      best = arrival;
      winner = j;
    }
  }
  return winner === classIndex ? 1 : 0;
}

/**
 * `categoricalSample` for a whole unit (its `unitForward`): the race is run once and the winner's h is
 * 1, every other class's 0 — the numbers the unit's K `categoricalSample` calls return.
 */
export function categoricalSampleUnit(
  probabilities: ArrayLike<number>, exponentials: ArrayLike<number>, unitStart: number, noiseStart: number, classes: number,
  out: Float64Array, outStart: number,
): void {
  let winner = 0;
  let best = exponentials[noiseStart] / probabilities[unitStart];
  for (let j = 1; j < classes; j++) {
    const arrival = exponentials[noiseStart + j] / probabilities[unitStart + j];
    if (arrival < best) {
      best = arrival;
      winner = j;
    }
  }
  for (let k = 0; k < classes; k++) out[outStart + k] = k === winner ? 1 : 0;
}
