/**
 * The hard forward pass shared by estimators whose node hands downstream a true sample b ~ Bernoulli(p):
 * b = 1 when the uniform draw u falls below p.
 */
export function hardBernoulliSample(theta: number, p: number, u: number): number {
  return u < p ? 1 : 0;
}
