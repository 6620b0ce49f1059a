/** The gradient of `f` at `x` by central differences, (f(x + step·eᵢ) − f(x − step·eᵢ)) / (2 step) for every i. */
export function centralDifferences(f: (x: Float64Array) => number, x: Float64Array, step: number): Float64Array {
  return x.map((_, index) => {
    const plus = x.slice();
    const minus = x.slice();
    plus[index] += step;
    minus[index] -= step;
    return (f(plus) - f(minus)) / (2 * step);
  });
}
