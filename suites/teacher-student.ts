import { singleNodeEstimates, type SingleNodeStages } from '../models/single-node.js';
import { stepOp } from '../models/hard-ops.js';
import { numericValues } from '../core/parameters.js';
import { hashSeed, Rng } from '../core/rng.js';
import { defineSuite, type StagedProblem, type TensorOps } from '../core/suite.js';
import { angleBetween, populationGradient, populationLoss, splitParameters, spuriousLocalMinimum, type Teacher } from './teacher-student-math.js';

/** One batch of estimates: the inputs, the teacher's outputs and the student's second layer. */
interface TeacherStudentPass {
  /** Z of every estimate: [count · m × n], row (s, i) = z_i of estimate s. */
  readonly inputs: Float32Array;
  /** y* = v*ᵀσ(Zw*) of every estimate. */
  readonly teacherOutputs: Float64Array;
  /** The student's v at these parameters. */
  readonly v: Float64Array;
}

function standardNormals(rng: Rng, length: number): Float64Array {
  const values = new Float64Array(length);
  rng.fillNormal(values, length);
  return values;
}

/** y = vᵀh of every row of h ([rows × m]). */
function secondLayer(h: Float64Array, v: Float64Array): Float64Array {
  const m = v.length;
  const outputs = new Float64Array(h.length / m);
  for (let row = 0; row < outputs.length; row++) {
    let total = 0;
    for (let unit = 0; unit < m; unit++) total += v[unit] * h[row * m + unit];
    outputs[row] = total;
  }
  return outputs;
}

/**
 * The stages of one coarse-gradient estimate: a fresh Z per estimate; logits Zw (one row of m per
 * estimate, on the backend's matrix product, beside the teacher's Zw* in the same product); the hard
 * node σ (the estimator's proxy backward); the loss ½(vᵀh − y*)²; then ∂/∂w = Zᵀ(dL/dlogits) through
 * the estimator's rule and ∂/∂v = (y − y*)h exactly (v sits above the node).
 */
function teacherStudentStages(ops: TensorOps, teacher: Teacher): SingleNodeStages<TeacherStudentPass> {
  const n = teacher.w.length;
  const m = teacher.v.length;
  return {
    rowsPerEstimate: 1,
    async upstream(params, count, rng) {
      const { w, v } = splitParameters(params, n);
      const inputs = new Float32Array(count * m * n);
      rng.fillNormal(inputs, inputs.length);
      // Columns [w, w*]: student and teacher pre-activations in one product.
      const weights = new Float32Array(2 * n);
      for (let index = 0; index < n; index++) {
        weights[2 * index] = w[index];
        weights[2 * index + 1] = teacher.w[index];
      }
      const products = await ops.matmul(inputs, weights, count * m, n, 2);
      const logits = new Float64Array(count * m);
      const teacherOutputs = new Float64Array(count);
      for (let row = 0; row < count * m; row++) {
        logits[row] = products[2 * row];
        if (products[2 * row + 1] > 0) teacherOutputs[Math.floor(row / m)] += teacher.v[row % m];
      }
      return { pass: { inputs, teacherOutputs, v: Float64Array.from(v) }, logits };
    },
    async objective(pass, h, _evaluations, wantGradient) {
      const outputs = secondLayer(h, pass.v);
      const value = outputs.map((output, row) => 0.5 * (output - pass.teacherOutputs[row]) ** 2);
      const gradient = wantGradient ? new Float64Array(h.length) : null;
      if (gradient) {
        outputs.forEach((output, row) => {
          const residual = output - pass.teacherOutputs[row];
          for (let unit = 0; unit < m; unit++) gradient[row * m + unit] = residual * pass.v[unit];
        });
      }
      return { value, gradient };
    },
    async backward(pass, _params, dLogits, node) {
      const count = pass.teacherOutputs.length;
      const outputs = secondLayer(node.h, pass.v);
      const estimates = new Float64Array(count * (n + m));
      for (let estimate = 0; estimate < count; estimate++) {
        const base = estimate * (n + m);
        for (let unit = 0; unit < m; unit++) {
          const row = estimate * m + unit;
          const logitGradient = dLogits[row];
          if (logitGradient !== 0) for (let input = 0; input < n; input++) estimates[base + input] += pass.inputs[row * n + input] * logitGradient;
          estimates[base + n + unit] = (outputs[estimate] - pass.teacherOutputs[estimate]) * node.h[row];
        }
      }
      return estimates;
    },
  };
}

/**
 * Teacher weights, and the starting point: drawn from N(0, I) (startNear = 0 with the teacher as
 * anchor), or the anchor (the teacher, or the spurious local minimum) with w and v each moved by
 * `startNear` of their norm in a random direction.
 */
function teacherAndStart(params: Record<string, number>): { teacher: Teacher; start: Float64Array } {
  const { m, n, teacherSeed, startSeed, startNear, anchor } = params;
  const teacherRng = new Rng(hashSeed('teacher-student', 'teacher', teacherSeed));
  const teacher = { w: standardNormals(teacherRng, n), v: standardNormals(teacherRng, m) };
  const startRng = new Rng(hashSeed('teacher-student', 'start', startSeed));
  if (startNear === 0 && anchor === 0) return { teacher, start: standardNormals(startRng, n + m) };
  const anchorPoint = anchor === 0 ? Float64Array.from([...teacher.w, ...teacher.v]) : spuriousLocalMinimum(teacher);
  const start = Float64Array.from(anchorPoint);
  for (const [offset, length] of [[0, n], [n, m]]) {
    const part = anchorPoint.subarray(offset, offset + length);
    const direction = standardNormals(startRng, length);
    const scale = (startNear * Math.hypot(...part)) / Math.hypot(...direction);
    direction.forEach((value, index) => (start[offset + index] += scale * value));
  }
  return { teacher, start };
}

/**
 * Yin et al. (2019), section 2: learning a two-layer network y = vᵀσ(Zw) with binary activation
 * σ(x) = 1{x > 0} from a teacher of the same shape, Z with i.i.d. N(0, 1) entries drawn fresh for
 * every estimate. Trained parameters [w (n), v (m)]; gradients are scored against the closed-form
 * population gradient, and training reports the closed-form population loss.
 */
export const teacherStudent = defineSuite({
  id: 'teacher-student',
  title: 'Teacher-student two-layer network with binary activation (Yin et al. 2019)',
  description: 'y = vᵀ1{Zw > 0} against a teacher v*ᵀ1{Zw* > 0}, Z ∈ R^{m×n} i.i.d. N(0, 1), loss ½(y − y*)²; closed-form population loss and gradient',
  nodeKind: 'deterministic',
  referenceKinds: ['closed-form'],
  params: {
    m: { description: 'rows of Z: hidden units (the length of v)', default: 20, minimum: 1, maximum: 4096, integer: true },
    n: { description: 'columns of Z: inputs (the length of w)', default: 10, minimum: 2, maximum: 4096, integer: true },
    teacherSeed: { description: 'seed of the teacher weights w*, v* ~ N(0, I)', default: 1, minimum: 0, integer: true },
    startSeed: { description: 'seed of the starting point (w, v ~ N(0, I)), or of the noise added to the teacher with startNear', default: 2, minimum: 0, integer: true },
    startNear: { description: 'start at the anchor moved by this fraction of its norm (w and v each); 0 with anchor 0 draws the start from N(0, I)', default: 0, minimum: 0 },
    anchor: { description: 'the point startNear is measured from: 0 the teacher, 1 the spurious local minimum w = −w*, v = (I + 11ᵀ)⁻¹(11ᵀ − I)v*', default: 0, minimum: 0, maximum: 1, integer: true },
  },
  create(params): StagedProblem {
    const values = numericValues(params);
    const { teacher, start } = teacherAndStart(values);
    const { n, m } = values;
    return {
      kind: 'staged',
      nodeKind: 'deterministic',
      initialParameters: start,
      // Coarse gradient descent as Yin et al. analyse it: plain SGD on the mean of a few estimates.
      trainingDefaults: { optimizer: 'sgd', learningRate: 0.05, samplesPerStep: 16 },
      recordedParams: {
        teacherW: Array.from(teacher.w), teacherV: Array.from(teacher.v),
        startW: Array.from(start.subarray(0, n)), startV: Array.from(start.subarray(n)),
      },
      prepare(context) {
        const stages = teacherStudentStages(context.ops, teacher);
        const node = context.hardNode(m, { op: stepOp });
        return {
          estimates: (point, count, rng, step) => singleNodeEstimates(stages, node, context.estimator, point, count, rng, step),
          referenceGradient: async (point) => ({ kind: 'closed-form', gradient: populationGradient(point, teacher) }),
          evaluate: async (point) => ({
            loss: populationLoss(point, teacher),
            metrics: { angleToTeacher: angleBetween(point.subarray(0, n), teacher.w) },
          }),
          dispose() {},
        };
      },
    };
  },
});
