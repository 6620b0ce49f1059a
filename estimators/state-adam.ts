/**
 * Adam (Kingma & Ba 2015) for an estimator's own state values, as pure functions over named values: the
 * state's `update` rules step their trainable values with it (REBAR's η and log temperature, as its
 * authors did), keeping Adam's two moments as further state values (`<name>Moment`, `<name>Square`).
 */

const beta1 = 0.9;
const beta2 = 0.999;
const epsilon = 1e-8;

/** The state value names Adam keeps for the trained value `name`. */
export function adamMomentNames(name: string): [string, string] {
  return [`${name}Moment`, `${name}Square`];
}

/** Initial Adam moments (zeros) for the trained values `names`. */
export function adamInitialMoments(names: readonly string[]): Record<string, number> {
  return Object.fromEntries(names.flatMap((name) => adamMomentNames(name).map((moment) => [moment, 0])));
}

/**
 * One Adam step of the value `name` down the gradient `gradient` at step `step` (from 1): the new value
 * and moments, to merge into the state. A learning rate of 0 leaves everything as it is.
 */
export function adamStep(
  values: Readonly<Record<string, number>>, name: string, current: number, gradient: number, learningRate: number, step: number,
): Record<string, number> {
  if (learningRate === 0) return {};
  const [momentName, squareName] = adamMomentNames(name);
  const moment = beta1 * values[momentName] + (1 - beta1) * gradient;
  const square = beta2 * values[squareName] + (1 - beta2) * gradient * gradient;
  const corrected = moment / (1 - beta1 ** step);
  const correctedSquare = square / (1 - beta2 ** step);
  return { [momentName]: moment, [squareName]: square, [name]: current - (learningRate * corrected) / (Math.sqrt(correctedSquare) + epsilon) };
}

/**
 * One Adam step of an array of trained values (a network's weights) down `gradient`, entry by entry,
 * with its two moment arrays: new arrays (the inputs are left as they are), or null with a rate of 0.
 */
export function adamArrayStep(
  weights: Float64Array, moment: Float64Array, square: Float64Array, gradient: Float64Array, learningRate: number, step: number,
): { weights: Float64Array; moment: Float64Array; square: Float64Array } | null {
  if (learningRate === 0) return null;
  const next = { weights: weights.slice(), moment: moment.slice(), square: square.slice() };
  const momentScale = 1 / (1 - beta1 ** step);
  const squareScale = 1 / (1 - beta2 ** step);
  for (let entry = 0; entry < weights.length; entry++) {
    next.moment[entry] = beta1 * moment[entry] + (1 - beta1) * gradient[entry];
    next.square[entry] = beta2 * square[entry] + (1 - beta2) * gradient[entry] * gradient[entry];
    next.weights[entry] -= (learningRate * next.moment[entry] * momentScale) / (Math.sqrt(next.square[entry] * squareScale) + epsilon);
  }
  return next;
}
