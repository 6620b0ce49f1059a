import type { ComputeBackend } from '../../core/backend.js';
import type { NodeKind } from '../../core/estimator.js';
import { errorMessage } from '../../core/errors.js';
import type { BatchMoments } from '../../core/moments.js';
import { checkPoints, sampleAtPoint, type CheckPoint } from './check-points.js';
import type { CheckContext, CheckVerdict, ConformanceCheck } from './check-types.js';
import { declarationProblems } from './declarations.js';

type Outcome = Omit<CheckVerdict, 'checkId'>;
const pass = (detail: string): Outcome => ({ status: 'pass', detail });
const fail = (detail: string): Outcome => ({ status: 'fail', detail });
const skip = (detail: string): Outcome => ({ status: 'skip', detail });

/** The node kinds the estimator declares, each with the first of its check points (the probe). */
const probes = ({ estimator }: CheckContext): Array<{ kind: NodeKind; point: CheckPoint }> =>
  estimator.nodeKinds.map((kind) => ({ kind, point: checkPoints(kind)[0] }));

/** The first entry where two arrays differ bit for bit (NaN equals NaN), or -1. */
function firstDifference(left: Float64Array, right: Float64Array): number {
  for (let index = 0; index < left.length; index++) if (!Object.is(left[index], right[index])) return index;
  return left.length === right.length ? -1 : Math.min(left.length, right.length);
}

/** Extreme logits: ±20 alternating, then all +20 and all −20, beside the probe's ordinary ones. */
const extremeLogits = (length: number): Array<[string, Float64Array]> => [
  ['±20 alternating', Float64Array.from({ length }, (_, index) => (index % 2 === 0 ? 20 : -20))],
  ['all +20', new Float64Array(length).fill(20)],
  ['all −20', new Float64Array(length).fill(-20)],
];

const shapesAndNames: ConformanceCheck = {
  id: 'shapes-and-names',
  description: 'kernels compile on the CPU with their arguments bound by name; noise, needs and counts agree with what the kernels read; one estimate per logit',
  async run(context) {
    const problems = declarationProblems(context.estimator);
    for (const { kind, point } of probes(context)) {
      try {
        const moments = await sampleAtPoint({ backend: context.cpu, estimator: context.estimator, point, samples: 16, seed: context.settings.seed });
        if (moments.mean.length !== point.logits.length) problems.push(`${kind}: ${moments.mean.length} gradient entries for ${point.logits.length} logits`);
      } catch (error) {
        problems.push(`${kind} (${point.label}): ${errorMessage(error)}`);
      }
    }
    if (problems.length > 0) return fail(problems.join('; '));
    return pass(`${context.estimator.nodeKinds.join(', ')} kernels compile and bind; declarations match the names read`);
  },
};

const determinism: ConformanceCheck = {
  id: 'determinism',
  description: 'the same seed gives bit-identical moments (mean and variance of the estimates), twice',
  async run(context) {
    const { estimator, cpu, settings } = context;
    for (const { point } of probes(context)) {
      const draw = () => sampleAtPoint({ backend: cpu, estimator, point, samples: settings.probeSamples, seed: settings.seed });
      let first: BatchMoments;
      let second: BatchMoments;
      try {
        first = await draw();
        second = await draw();
      } catch (error) {
        return fail(`${point.label}: ${errorMessage(error)}`);
      }
      const meanAt = firstDifference(first.mean, second.mean);
      if (meanAt >= 0) return fail(`${point.label}, unit ${meanAt}: mean ${first.mean[meanAt]} then ${second.mean[meanAt]} with the same seed`);
      const spreadAt = firstDifference(first.sumOfSquaredDeviations, second.sumOfSquaredDeviations);
      if (spreadAt >= 0) return fail(`${point.label}, unit ${spreadAt}: variance differs between two draws with the same seed`);
    }
    return pass(`bit-identical over 2 × ${settings.probeSamples} estimates at ${probes(context).map(({ point }) => point.label).join('; ')}`);
  },
};

const nanHandling: ConformanceCheck = {
  id: 'nan-handling',
  description: 'no NaN or Inf in the estimates at ordinary logits and at extreme ones (±20)',
  async run(context) {
    const { estimator, cpu, settings } = context;
    const tried: string[] = [];
    for (const { kind, point } of probes(context)) {
      for (const [which, logits] of [['ordinary', point.logits] as [string, Float64Array], ...extremeLogits(point.logits.length)]) {
        try {
          await sampleAtPoint({ backend: cpu, estimator, point: { ...point, label: `${point.label} ${which}`, logits }, samples: settings.probeSamples, seed: settings.seed });
        } catch (error) {
          return fail(`${kind} node, ${which} logits: ${errorMessage(error)}`);
        }
        tried.push(`${kind} ${which}`);
      }
    }
    return pass(`finite at ${tried.length} points (${tried.join(', ')}), ${settings.probeSamples} estimates each`);
  },
};

/** Relative and absolute tolerance of float32 GPU arithmetic against the CPU's float64 (the project's agreement test uses the same). */
const agrees = (gpu: number, cpu: number) => Math.abs(gpu - cpu) < 2e-3 + 1e-3 * Math.abs(cpu);

const backendAgreement: ConformanceCheck = {
  id: 'cpu-gpu-agreement',
  description: 'the GPU backend (gpu.js) gives the CPU\'s means from the same noise, to float32 precision (only with --gpu)',
  async run(context) {
    const { estimator, cpu, gpu, settings } = context;
    if ('unavailable' in gpu) return skip(gpu.unavailable);
    let largest = 0;
    for (const { point } of probes(context)) {
      const draw = (backend: ComputeBackend) => sampleAtPoint({ backend, estimator, point, samples: settings.probeSamples, seed: settings.seed });
      let onCpu: BatchMoments;
      let onGpu: BatchMoments;
      try {
        onCpu = await draw(cpu);
        onGpu = await draw(gpu);
      } catch (error) {
        return fail(`${point.label}: ${errorMessage(error)}`);
      }
      for (let unit = 0; unit < onCpu.mean.length; unit++) {
        if (!agrees(onGpu.mean[unit], onCpu.mean[unit])) {
          return fail(`${point.label}, unit ${unit}: GPU mean ${onGpu.mean[unit].toPrecision(6)} vs CPU ${onCpu.mean[unit].toPrecision(6)}`);
        }
        largest = Math.max(largest, Math.abs(onGpu.mean[unit] - onCpu.mean[unit]));
      }
    }
    return pass(`largest |GPU − CPU| of a mean ${largest.toExponential(2)} over ${settings.probeSamples} estimates (GPU mode ${gpu.mode})`);
  },
};

/** One unit's mean against the exact gradient, in standard errors of the mean. */
interface UnitDeviation {
  readonly label: string;
  readonly unit: number;
  readonly mean: number;
  readonly exact: number;
  readonly standardError: number;
  /** (mean − exact) / standard error; ±Infinity for a zero-variance unit off by more than rounding. */
  readonly z: number;
}

function deviations(label: string, moments: BatchMoments, exact: Float64Array): UnitDeviation[] {
  return Array.from(exact, (value, unit) => {
    const standardError = Math.sqrt(moments.sumOfSquaredDeviations[unit] / (moments.count - 1) / moments.count);
    const difference = moments.mean[unit] - value;
    const z = standardError > 0 ? difference / standardError : Math.abs(difference) <= 1e-9 ? 0 : Math.sign(difference) * Infinity;
    return { label, unit, mean: moments.mean[unit], exact: value, standardError, z };
  });
}

const describeUnit = (d: UnitDeviation) =>
  `${d.label} unit ${d.unit}: mean ${d.mean.toPrecision(5)} vs exact ${d.exact.toPrecision(5)} ± ${d.standardError.toPrecision(2)} (z = ${d.z.toFixed(1)})`;

const meanAgainstExact: ConformanceCheck = {
  id: 'mean-vs-exact',
  description: 'the mean against the exact gradient on the enumerable suites, per unit in standard errors: at most 5 when the estimator claims to be unbiased, else its bias reported',
  async run(context) {
    const { estimator, cpu, settings } = context;
    const points = estimator.nodeKinds.flatMap((kind) => checkPoints(kind)).filter((point) => point.exact);
    if (points.length === 0) return skip(`no enumerable suite for ${estimator.nodeKinds.join(', ')} nodes: a proxy derivative of a deterministic op or a nearest-code lookup has no exact gradient to match`);
    const all: UnitDeviation[] = [];
    for (const point of points) {
      try {
        const moments = await sampleAtPoint({ backend: cpu, estimator, point, samples: settings.samples, seed: settings.seed });
        all.push(...deviations(point.label, moments, point.exact!));
      } catch (error) {
        return fail(`${point.label}: ${errorMessage(error)}`);
      }
    }
    const worst = all.reduce((largest, d) => (Math.abs(d.z) > Math.abs(largest.z) ? d : largest));
    const beyond = all.filter((d) => Math.abs(d.z) > settings.sigmas).length;
    const scope = `${points.length} points, ${all.length} units, ${settings.samples} estimates each`;
    if (estimator.claimsUnbiased) {
      const verdict = `max |z| ${Math.abs(worst.z).toFixed(2)} (limit ${settings.sigmas}) at ${describeUnit(worst)}; ${scope}`;
      return beyond > 0 ? fail(`claims unbiased, but ${beyond} units beyond ${settings.sigmas} SE: ${verdict}`) : pass(verdict);
    }
    const largestBias = all.reduce((largest, d) => (Math.abs(d.mean - d.exact) > Math.abs(largest.mean - largest.exact) ? d : largest));
    const bias = largestBias.mean - largestBias.exact;
    return pass(`does not claim unbiasedness (informational): largest bias ${bias.toPrecision(3)} ± ${largestBias.standardError.toPrecision(2)} at ${largestBias.label} unit ${largestBias.unit}; ${beyond} of ${all.length} units beyond ${settings.sigmas} SE, max |z| ${Math.abs(worst.z).toFixed(1)}; ${scope}`);
  },
};

/** The conformance kit, in the order `estibench check` runs and prints it. */
export const conformanceChecks: readonly ConformanceCheck[] = [shapesAndNames, determinism, nanHandling, backendAgreement, meanAgainstExact];
