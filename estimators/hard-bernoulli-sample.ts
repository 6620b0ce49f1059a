/**
 * The hard forward pass shared by estimators whose node hands downstream a true sample b ~ Bernoulli(p):
 * b = 1 when the uniform draw u falls below p. Written without a branch, because on random draws a
 * branch is mispredicted about half the time: p − u is exactly 0 only when u = p (floating-point
 * subtraction of distinct numbers is never 0), so ceil(p − u) is 1 for u < p and 0 or −0 otherwise,
 * and adding 0 turns −0 into 0: the same numbers as `u < p ? 1 : 0`, on every backend.
 */
export function hardBernoulliSample(theta: number, p: number, u: number): number {
  return Math.ceil(p - u) + 0;
}
