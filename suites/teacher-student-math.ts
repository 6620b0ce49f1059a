/**
 * Closed forms of Yin et al. (2019, section 2) for the two-layer network with binary activation
 * y = vᵀσ(Zw), σ(x) = 1{x > 0}, rows of Z i.i.d. N(0, I_n), teacher y* = v*ᵀσ(Zw*), loss ½(y − y*)².
 * With θ the angle between w and w* (their Lemma 1), E[σ(Zw)σ(Zw)ᵀ] = ¼(I + 11ᵀ) and
 * E[σ(Zw)σ(Zw*)ᵀ] = ¼((1 − 2θ/π)I + 11ᵀ), so the population loss is
 *   f(v, w) = ⅛[vᵀ(I + 11ᵀ)v − 2vᵀ((1 − 2θ/π)I + 11ᵀ)v* + v*ᵀ(I + 11ᵀ)v*],
 * and, derived here (∂f/∂θ = (vᵀv*)/(2π), ∂θ/∂w = −(I − ŵŵᵀ)ŵ* / (|w| sin θ)):
 *   ∂f/∂v = ¼(I + 11ᵀ)v − ¼((1 − 2θ/π)I + 11ᵀ)v*,
 *   ∂f/∂w = −(vᵀv*)/(2π|w|) · (I − ŵŵᵀ)ŵ* / |(I − ŵŵᵀ)ŵ*|   (θ in (0, π); 0 where w ∥ w*, where f has a kink).
 */

/** The teacher of a teacher-student problem. */
export interface Teacher {
  readonly w: Float64Array;
  readonly v: Float64Array;
}

function dot(left: ArrayLike<number>, right: ArrayLike<number>): number {
  let total = 0;
  for (let index = 0; index < left.length; index++) total += left[index] * right[index];
  return total;
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let index = 0; index < values.length; index++) total += values[index];
  return total;
}

/** The angle between two vectors, in [0, π]. */
export function angleBetween(left: ArrayLike<number>, right: ArrayLike<number>): number {
  const cosine = dot(left, right) / Math.sqrt(dot(left, left) * dot(right, right));
  return Math.acos(Math.min(1, Math.max(-1, cosine)));
}

/** The parameters [w (n), v (m)] split into their parts (views). */
export function splitParameters(params: Float64Array, n: number): { w: Float64Array; v: Float64Array } {
  return { w: params.subarray(0, n), v: params.subarray(n) };
}

/** Population loss f(v, w) = E_Z[½(vᵀσ(Zw) − v*ᵀσ(Zw*))²]. */
export function populationLoss(params: Float64Array, teacher: Teacher): number {
  const { w, v } = splitParameters(params, teacher.w.length);
  const theta = angleBetween(w, teacher.w);
  const studentTerm = dot(v, v) + sum(v) ** 2;
  const crossTerm = (1 - (2 * theta) / Math.PI) * dot(v, teacher.v) + sum(v) * sum(teacher.v);
  const teacherTerm = dot(teacher.v, teacher.v) + sum(teacher.v) ** 2;
  return (studentTerm - 2 * crossTerm + teacherTerm) / 8;
}

/** ∇f as [∂f/∂w (n entries), ∂f/∂v (m entries)]. */
export function populationGradient(params: Float64Array, teacher: Teacher): Float64Array {
  const n = teacher.w.length;
  const { w, v } = splitParameters(params, n);
  const gradient = new Float64Array(params.length);
  const theta = angleBetween(w, teacher.w);
  const weightNorm = Math.sqrt(dot(w, w));
  const teacherNorm = Math.sqrt(dot(teacher.w, teacher.w));
  // (I − ŵŵᵀ)ŵ*: the part of the teacher's direction perpendicular to w.
  const cosine = dot(w, teacher.w) / (weightNorm * teacherNorm);
  const perpendicular = Float64Array.from(teacher.w, (value, index) => value / teacherNorm - cosine * (w[index] / weightNorm));
  const perpendicularNorm = Math.sqrt(dot(perpendicular, perpendicular));
  if (perpendicularNorm > 0) {
    const scale = -dot(v, teacher.v) / (2 * Math.PI * weightNorm * perpendicularNorm);
    for (let index = 0; index < n; index++) gradient[index] = scale * perpendicular[index];
  }
  const studentSum = sum(v);
  const teacherSum = sum(teacher.v);
  const overlap = 1 - (2 * theta) / Math.PI;
  for (let unit = 0; unit < v.length; unit++) {
    gradient[n + unit] = (v[unit] + studentSum - overlap * teacher.v[unit] - teacherSum) / 4;
  }
  return gradient;
}

/**
 * The spurious local minimizer of the population loss that Yin et al. (2019) analyse: w = −w* (θ = π)
 * and v = (I + 11ᵀ)⁻¹(11ᵀ − I)v*, where ∂f/∂v = 0; it is a local minimum when vᵀv* < 0 there, that is
 * when |v*|² > 2(1ᵀv*)²/(m + 1). Since (I + 11ᵀ)⁻¹ = I − 11ᵀ/(m + 1), v = (2(1ᵀv*)/(m + 1))·1 − v*.
 */
export function spuriousLocalMinimum(teacher: Teacher): Float64Array {
  const n = teacher.w.length;
  const m = teacher.v.length;
  const teacherSum = teacher.v.reduce((total, value) => total + value, 0);
  const point = new Float64Array(n + m);
  teacher.w.forEach((value, index) => (point[index] = -value));
  teacher.v.forEach((value, unit) => (point[n + unit] = (2 * teacherSum) / (m + 1) - value));
  return point;
}
