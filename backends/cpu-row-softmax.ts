/**
 * Source of `rowSoftmax(logits, probabilities, rowStart, rowEnd)` for the CPU hard nodes' tasks: the
 * softmax of each unit of `classes` logits in rows of `width`, with exactly the operations of
 * `nodeProbabilities('categorical', ...)` (shift by the unit's largest logit, exp, divide by the total),
 * so the numbers are the same. A row whose logits equal the previous row's (every row of a toy suite,
 * whose rows are copies of the trained logits) copies that row's probabilities instead: equal inputs
 * give equal outputs, at the cost of a comparison rather than K exps.
 */
export function rowSoftmaxSource(width: number, classes: number): string {
  return `function rowSoftmax(logits, probabilities, rowStart, rowEnd) {
    for (let s = rowStart; s < rowEnd; s++) {
      const base = s * ${width};
      let repeated = s > rowStart;
      for (let index = 0; repeated && index < ${width}; index++) repeated = logits[base + index] === logits[base - ${width} + index];
      if (repeated) {
        probabilities.copyWithin(base, base - ${width}, base);
        continue;
      }
      for (let start = base; start < base + ${width}; start += ${classes}) {
        let largest = logits[start];
        for (let j = 1; j < ${classes}; j++) largest = Math.max(largest, logits[start + j]);
        let total = 0;
        for (let j = 0; j < ${classes}; j++) total += probabilities[start + j] = Math.exp(logits[start + j] - largest);
        for (let j = 0; j < ${classes}; j++) probabilities[start + j] /= total;
      }
    }
  }`;
}
