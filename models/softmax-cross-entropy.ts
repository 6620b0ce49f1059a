/** Mean softmax cross-entropy of a batch, how many rows the argmax got right, and dL/dlogits. */
export interface CrossEntropy {
  /** Mean over rows of −log softmax(logits)[label]. */
  readonly loss: number;
  /** Rows whose largest logit is the label's. */
  readonly correct: number;
  /** d(mean loss)/dlogits [rows × classes] = (softmax − onehot)/rows, when asked for. */
  readonly gradient: Float32Array | null;
}

/**
 * Softmax cross-entropy over `rows` rows of `classes` logits with integer labels, as PyTorch's
 * `cross_entropy` (mean reduction), computed stably in float64 (the max logit subtracted per row).
 */
export function softmaxCrossEntropy(logits: Float32Array, labels: ArrayLike<number>, rows: number, classes: number, wantGradient: boolean): CrossEntropy {
  const gradient = wantGradient ? new Float32Array(rows * classes) : null;
  let total = 0;
  let correct = 0;
  for (let row = 0; row < rows; row++) {
    const base = row * classes;
    let largest = -Infinity;
    let argmax = 0;
    for (let column = 0; column < classes; column++) {
      if (logits[base + column] > largest) {
        largest = logits[base + column];
        argmax = column;
      }
    }
    let normaliser = 0;
    for (let column = 0; column < classes; column++) normaliser += Math.exp(logits[base + column] - largest);
    const label = labels[row];
    total += Math.log(normaliser) - (logits[base + label] - largest);
    if (argmax === label) correct++;
    if (gradient) {
      for (let column = 0; column < classes; column++) {
        const probability = Math.exp(logits[base + column] - largest) / normaliser;
        gradient[base + column] = (probability - (column === label ? 1 : 0)) / rows;
      }
    }
  }
  return { loss: total / rows, correct, gradient };
}
