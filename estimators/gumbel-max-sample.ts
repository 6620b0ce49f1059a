/**
 * Forward kernel of the categorical estimators with a hard sample: the one-hot Gumbel-max sample,
 * D = onehot(argmax_j (theta_j + G_j)), which is distributed as Categorical(softmax(theta)); this
 * element's h is 1 when its class wins. Reads the unit's first K Gumbel draws.
 */
export function gumbelMaxOneHot(
  logits: ArrayLike<number>, gumbels: ArrayLike<number>, unitStart: number, noiseStart: number, classes: number, classIndex: number,
): number {
  let winner = 0;
  let best = logits[unitStart] + gumbels[noiseStart];
  for (let j = 1; j < classes; j++) {
    const value = logits[unitStart + j] + gumbels[noiseStart + j];
    if (value > best) {
      best = value;
      winner = j;
    }
  }
  return winner === classIndex ? 1 : 0;
}
