/**
 * Extra measurements beyond the cells: bias and variance across a grid of logits (`--sweep logit`)
 * and timing as the batch size and the dimension grow (`--sweep scaling`). Computes only; never prints.
 */
import type { ComputeBackend } from '../backends/backend.js';
import type { EstimatorDefinition } from '../estimators/estimator.js';
import { isStagedProblem, type Problem, type StagedProblem, type SuiteDefinition } from '../suites/suite.js';
import { prepareCell, type ReadyCell } from './cell.js';
import { errorMessage, UsageError } from './errors.js';
import { startBackend, type StartedBackend } from './backend-start.js';
import { unsupportedNodeReason } from './node-kinds.js';
import { withDefaults } from './parameters.js';
import { hashSeed, Rng } from './rng.js';
import { estimateBaseline, scoreAtLogits } from './sampling.js';
import { timeBatches } from './timing.js';
import type { BenchConfig, BenchResults, LogitSweep, LogitSweepSeries, Registries, ScalingResults, ScalingSeries } from './types.js';

/** The sweeps `--sweep` accepts. */
export const sweepKinds = ['logit', 'scaling'] as const;
export type SweepKind = (typeof sweepKinds)[number];

/** Grids of the sweeps; small enough for a 2-core CI machine with a software GPU. */
export const sweepDefaults = Object.freeze({
  /** The logit sweep runs on this suite, as in the ARM and DisARM papers' figures. */
  logitSuite: 'bernoulli-toy',
  /** 25 logits evenly spaced over [-6, 6]. */
  logits: Array.from({ length: 25 }, (_, index) => -6 + index * 0.5),
  /** One unit: every unit would sit at the same logit anyway. */
  logitDim: 1,
  batchSizes: [256, 1024, 4096, 8192],
  dims: [16, 64, 256, 1024],
  /** Batch size of the dimension sweep. */
  scalingBatchSize: 1024,
  /** Timed batches per scaling point at most (the run's --timing-iterations, if smaller and positive). */
  scalingIterations: 10,
});

/** One finished unit of sweep work, for a progress display. */
export interface SweepStep {
  readonly done: number;
  readonly total: number;
  readonly label: string;
}

/** Parses `--sweep` values (repeatable, comma-separated) into known kinds; throws UsageError otherwise. */
export function parseSweepKinds(values: readonly string[] | undefined): SweepKind[] {
  const kinds = (values ?? []).flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
  for (const kind of kinds) {
    if (!(sweepKinds as readonly string[]).includes(kind)) {
      throw new UsageError(`unknown sweep '${kind}' in --sweep; valid sweeps: ${sweepKinds.join(', ')}`);
    }
  }
  return [...new Set(kinds)] as SweepKind[];
}

type StartedBackends = ReadonlyMap<string, StartedBackend>;

interface SeriesIdentity {
  readonly estimator: string;
  readonly backend: string;
  readonly backendMode?: string;
  readonly state: 'completed' | 'errored' | 'unsupported';
  readonly error?: string;
}

/** What every sweep shares: its problem, its progress count and the value of a series with no numbers. */
interface SeriesPlan<T> {
  readonly config: BenchConfig;
  readonly registries: Registries;
  readonly backends: StartedBackends;
  readonly problem: Problem;
  readonly name: string;
  readonly stepsPerSeries: number;
  readonly empty: T;
  readonly onStep: (step: SweepStep) => void;
}

/**
 * Measures one series per estimator x backend of the run. An estimator that does not support the
 * problem's node kind, a backend that did not start, or a throw leaves a series with `empty` values
 * and its state; the other series go on.
 */
async function measureSeries<T extends object>(
  plan: SeriesPlan<T>,
  measure: (backend: ComputeBackend, estimator: EstimatorDefinition, step: (label: string) => void) => Promise<T>,
): Promise<Array<SeriesIdentity & T>> {
  const { config, registries, backends, problem, name, stepsPerSeries, empty, onStep } = plan;
  const total = config.estimators.length * config.backends.length * stepsPerSeries;
  const series: Array<SeriesIdentity & T> = [];
  for (const estimatorId of config.estimators) {
    const estimator = registries.estimators.get(estimatorId)!;
    for (const backendId of config.backends) {
      const { backend, report } = backends.get(backendId)!;
      const identity = { estimator: estimatorId, backend: backendId, ...(backend ? { backendMode: backend.mode } : {}) };
      const first = series.length * stepsPerSeries;
      let done = first;
      const step = (label: string) => onStep({ done: ++done, total, label: `${name} ${estimatorId} / ${backendId}${label}` });
      const unsupported = unsupportedNodeReason(estimator, problem.nodeKind);
      if (unsupported) {
        series.push({ ...identity, ...empty, state: 'unsupported', error: unsupported });
      } else if (!backend) {
        series.push({ ...identity, ...empty, state: 'errored', error: `backend ${backendId} did not start: ${report.error}` });
      } else {
        try {
          series.push({ ...identity, ...(await measure(backend, estimator, step)), state: 'completed' });
        } catch (error) {
          series.push({ ...identity, ...empty, state: 'errored', error: errorMessage(error) });
        }
      }
      if (done < first + stepsPerSeries) onStep({ done: first + stepsPerSeries, total, label: `${name} ${estimatorId} / ${backendId}` });
    }
  }
  return series;
}

/** Prepares a cell, runs `work` on it and always disposes it. */
async function withPreparedCell<T>(
  backend: ComputeBackend, config: BenchConfig, estimator: EstimatorDefinition, problem: Problem, batchSize: number,
  work: (cell: ReadyCell) => Promise<T>,
): Promise<T> {
  const cell = prepareCell(backend, { estimator, estimatorParams: config.estimatorParams[estimator.id] ?? withDefaults(estimator.params), problem, batchSize });
  try {
    return await work(cell);
  } finally {
    cell.dispose();
  }
}

/** The suite's problem, which the sweeps need as a kernel problem (they set every logit, or the dimension). */
function kernelProblem(suite: SuiteDefinition, params: Record<string, number>): Problem {
  const problem: Problem | StagedProblem = suite.create(params);
  if (isStagedProblem(problem)) throw new UsageError(`the sweeps run on kernel suites; ${suite.id} is staged`);
  return problem;
}

/** The suite's parameters in this run, or its defaults when the run did not select it. */
function suiteParams(config: BenchConfig, suite: SuiteDefinition): Record<string, number> {
  return { ...(config.suiteParams[suite.id] ?? withDefaults(suite.params)) };
}

async function runLogitSweep(
  config: BenchConfig, registries: Registries, backends: StartedBackends, onStep: (step: SweepStep) => void,
): Promise<LogitSweep> {
  const suite = registries.suites.get(sweepDefaults.logitSuite);
  if (!suite) throw new UsageError(`--sweep logit needs the ${sweepDefaults.logitSuite} suite, which is not registered`);
  const params = { ...suiteParams(config, suite), dim: sweepDefaults.logitDim };
  const problem = kernelProblem(suite, params);
  const logits = sweepDefaults.logits;
  const empty = { signedBias: [] as number[], bias: [] as number[], biasStdErr: [] as number[], variance: [] as number[], exactGradient: [] as number[] };
  const plan = { config, registries, backends, problem, name: 'logit sweep', stepsPerSeries: logits.length, empty, onStep };
  const series: LogitSweepSeries[] = await measureSeries(plan, (backend, estimator, step) =>
    withPreparedCell(backend, config, estimator, problem, config.batchSize, async (cell) => {
      const columns = structuredClone(empty);
      for (const [index, logit] of logits.entries()) {
        const at = new Float64Array(problem.dim).fill(logit);
        // The same streams on every backend, independent across logits.
        const rng = new Rng(hashSeed(config.seed, suite.id, estimator.id, 'sweep-logit', index));
        const score = await scoreAtLogits(cell, estimator, at, config.samples, config.batchSize, rng);
        if (!score) throw new Error(`${suite.id} has no reference gradient`);
        const exact = score.exactGradient;
        const unitMean = (values: ArrayLike<number>) => Array.from(values).reduce((sum, value) => sum + value, 0) / problem.dim;
        columns.signedBias.push(unitMean(score.meanGradient) - unitMean(exact));
        columns.bias.push(score.bias);
        columns.biasStdErr.push(score.biasStdErr);
        columns.variance.push(score.variance);
        columns.exactGradient.push(unitMean(exact));
        step(` at logit ${logit}`);
      }
      return columns;
    }));
  return { suite: suite.id, params, samples: config.samples, logits: [...logits], series };
}

/** The suite the scaling sweep times: the logit-sweep suite if selected, else the first selected suite with a `dim`. */
function scalingSuite(config: BenchConfig, registries: Registries): SuiteDefinition {
  const candidates = [sweepDefaults.logitSuite, ...config.suites].map((id) => registries.suites.get(id)).filter((suite) => suite !== undefined);
  const suite = candidates.find((candidate) => 'dim' in candidate.params && (config.suites.includes(candidate.id) || config.suites.length === 0))
    ?? candidates.find((candidate) => 'dim' in candidate.params);
  if (!suite) throw new UsageError('--sweep scaling needs a suite with a dim parameter');
  return suite;
}

interface TimedPoint {
  readonly nsPerEstimate: number;
  readonly msPerBatch: number;
}

/** Median time of one batch of `batchSize` estimates (the baseline pilot is drawn once, untimed). */
async function timePoint(
  backend: ComputeBackend, config: BenchConfig, estimator: EstimatorDefinition, problem: Problem, batchSize: number, iterations: number,
): Promise<TimedPoint> {
  return withPreparedCell(backend, config, estimator, problem, batchSize, async (cell) => {
    const rng = new Rng(hashSeed(config.seed, estimator.id, 'sweep-scaling', problem.dim, batchSize));
    const logits = problem.initialLogits;
    const baseline = await estimateBaseline(cell, estimator, logits, batchSize, rng);
    const label = `${estimator.id}/${backend.id}/dim ${problem.dim}/batch ${batchSize}`;
    const timing = await timeBatches(label, () => cell.estimateMoments(logits, baseline, batchSize, rng), batchSize, iterations);
    return { nsPerEstimate: timing.nsPerEstimate, msPerBatch: (timing.nsPerEstimate * batchSize) / 1e6 };
  });
}

async function runScaling(
  config: BenchConfig, registries: Registries, backends: StartedBackends, onStep: (step: SweepStep) => void,
): Promise<ScalingResults> {
  const suite = scalingSuite(config, registries);
  const params = suiteParams(config, suite);
  const { batchSizes, dims, scalingBatchSize } = sweepDefaults;
  const iterations = config.timingIterations > 0 ? Math.min(config.timingIterations, sweepDefaults.scalingIterations) : sweepDefaults.scalingIterations;
  const empty = { bySamples: { nsPerEstimate: [] as number[], msPerBatch: [] as number[] }, byDim: { nsPerEstimate: [] as number[], msPerBatch: [] as number[] } };
  const plan = { config, registries, backends, problem: kernelProblem(suite, params), name: 'scaling', stepsPerSeries: batchSizes.length + dims.length, empty, onStep };
  const split = (points: TimedPoint[]) => ({ nsPerEstimate: points.map((point) => point.nsPerEstimate), msPerBatch: points.map((point) => point.msPerBatch) });
  const series: ScalingSeries[] = await measureSeries(plan, async (backend, estimator, step) => {
    const bySamples: TimedPoint[] = [];
    for (const batchSize of batchSizes) {
      bySamples.push(await timePoint(backend, config, estimator, kernelProblem(suite, params), batchSize, iterations));
      step(`, batch ${batchSize}`);
    }
    const byDim: TimedPoint[] = [];
    for (const dim of dims) {
      byDim.push(await timePoint(backend, config, estimator, kernelProblem(suite, { ...params, dim }), scalingBatchSize, iterations));
      step(`, dim ${dim}`);
    }
    return { bySamples: split(bySamples), byDim: split(byDim) };
  });
  return { suite: suite.id, batchSizes: [...batchSizes], dims: [...dims], fixedDim: params.dim, fixedBatchSize: scalingBatchSize, timingIterations: iterations, series };
}

/**
 * Runs the requested sweeps over the run's estimators and backends, starting each backend once.
 * A failing estimator or backend is kept as an errored series; the sweep goes on.
 */
export async function runSweeps(
  kinds: readonly SweepKind[], config: BenchConfig, registries: Registries, onStep: (step: SweepStep) => void = () => {},
): Promise<Pick<BenchResults, 'sweeps' | 'scaling'>> {
  if (kinds.length === 0) return {};
  const backends = new Map<string, StartedBackend>();
  try {
    for (const id of config.backends) backends.set(id, await startBackend(id, registries));
    const logit = kinds.includes('logit') ? await runLogitSweep(config, registries, backends, onStep) : undefined;
    const scaling = kinds.includes('scaling') ? await runScaling(config, registries, backends, onStep) : undefined;
    return { ...(logit ? { sweeps: { logit } } : {}), ...(scaling ? { scaling } : {}) };
  } finally {
    for (const { backend } of backends.values()) backend?.dispose();
  }
}
