/**
 * Measuring the sweep series (`--sweep logit`: bias and variance across a grid of logits;
 * `--sweep scaling`: time as the batch size and the dimension grow). Each series is planned work
 * like a cell (see plan.ts), run on the run's started backend. Computes only; never prints.
 */
import type { ComputeBackend } from '../core/backend.js';
import type { EstimatorDefinition } from '../core/estimator.js';
import { isStagedProblem, type Problem, type StagedProblem, type SuiteDefinition } from '../core/suite.js';
import type { StartedBackend } from './backend-start.js';
import { prepareCell, type CellPreparation, type ReadyCell } from './cell.js';
import { errorMessage } from '../core/errors.js';
import { unsupportedNodeReason } from '../core/node-kinds.js';
import type { ParameterValues } from '../core/parameters.js';
import type { PlannedSeries } from './plan.js';
import { hashSeed, Rng } from '../core/rng.js';
import { estimateBaseline, scoreAtLogits } from './sampling.js';
import { scalingIterations, sweepDefaults } from './sweep-grid.js';
import { timeBatches } from './timing.js';
import type { BenchConfig, LogitSweepSeries, Registries, ScalingSeries } from '../core/types.js';

/** Prepares a cell, runs `work` on it and always disposes it. */
async function withPreparedCell<T>(backend: ComputeBackend, preparation: CellPreparation, work: (cell: ReadyCell) => Promise<T>): Promise<T> {
  const cell = prepareCell(backend, preparation);
  try {
    return await work(cell);
  } finally {
    cell.dispose();
  }
}

/** The suite's problem, which the sweeps need as a kernel problem (they set every logit, or the dimension). */
function kernelProblem(suite: SuiteDefinition, params: ParameterValues): Problem {
  const problem: Problem | StagedProblem = suite.create(params);
  if (isStagedProblem(problem)) throw new Error(`the sweeps run on kernel suites; ${suite.id} is staged`);
  // Every logit at one value would make every categorical unit uniform: the sweeps vary Bernoulli-style logits.
  if (problem.nodeKind === 'categorical') throw new Error(`the sweeps run on suites with one logit per unit; ${suite.id} has categorical units`);
  return problem;
}

/**
 * Measures one series; an estimator that does not support the problem's node kind, a backend that
 * did not start, or a throw leaves the series with `empty` values and its state.
 */
async function measureSeries<T extends object>(
  work: PlannedSeries, registries: Registries, started: StartedBackend, empty: T,
  measure: (backend: ComputeBackend, estimator: EstimatorDefinition) => Promise<T>,
) {
  const identity = {
    key: work.key, estimator: work.estimator, estimatorParams: work.estimatorParams, backend: work.backend,
    ...(started.backend ? { backendMode: started.backend.mode } : {}),
  };
  try {
    const estimator = registries.estimators.get(work.estimator)!;
    const unsupported = unsupportedNodeReason(estimator, registries.suites.get(work.suite)!.nodeKind);
    if (unsupported) return { ...identity, ...empty, state: 'unsupported' as const, error: unsupported };
    if (!started.backend) return { ...identity, ...empty, state: 'errored' as const, error: `backend ${work.backend} did not start: ${started.report.error}` };
    return { ...identity, ...(await measure(started.backend, estimator)), state: 'completed' as const };
  } catch (error) {
    return { ...identity, ...empty, state: 'errored' as const, error: errorMessage(error) };
  }
}

/** Bias and variance of one estimator at every logit of the sweep, every unit at the same logit. */
export async function measureLogitSeries(
  work: PlannedSeries, config: BenchConfig, registries: Registries, started: StartedBackend,
): Promise<LogitSweepSeries> {
  const empty = { signedBias: [] as number[], bias: [] as number[], biasStdErr: [] as number[], variance: [] as number[], exactGradient: [] as number[] };
  return measureSeries(work, registries, started, empty, async (backend, estimator) => {
    const problem = kernelProblem(registries.suites.get(work.suite)!, work.suiteParams);
    return withPreparedCell(backend, { estimator, estimatorParams: work.estimatorParams, problem, batchSize: config.batchSize }, async (cell) => {
      const columns = structuredClone(empty);
      const unitMean = (values: ArrayLike<number>) => Array.from(values).reduce((sum, value) => sum + value, 0) / problem.dim;
      for (const [index, logit] of sweepDefaults.logits.entries()) {
        const at = new Float64Array(problem.dim).fill(logit);
        // The same streams on every backend, independent across logits.
        const rng = new Rng(hashSeed(work.seed, work.suite, work.estimator, 'sweep-logit', index));
        const score = await scoreAtLogits({ cell, estimator, logits: at, samples: config.samples, batchSize: config.batchSize, rng });
        if (!score) throw new Error(`${work.suite} has no reference gradient`);
        columns.signedBias.push(unitMean(score.meanGradient) - unitMean(score.exactGradient));
        columns.bias.push(score.bias);
        columns.biasStdErr.push(score.biasStdErr);
        columns.variance.push(score.variance);
        columns.exactGradient.push(unitMean(score.exactGradient));
      }
      return columns;
    });
  });
}

/** One point of a scaling series: the estimator's batches of `batchSize` on `problem`, timed `iterations` times. */
interface TimedPointRequest {
  readonly estimator: EstimatorDefinition;
  readonly problem: Problem;
  readonly batchSize: number;
  readonly iterations: number;
}

interface TimedPoint {
  readonly nsPerEstimate: number;
  readonly msPerBatch: number;
}

/** Median time of one batch of `batchSize` estimates (the baseline pilot is drawn once, untimed). */
async function timePoint(work: PlannedSeries, backend: ComputeBackend, { estimator, problem, batchSize, iterations }: TimedPointRequest): Promise<TimedPoint> {
  return withPreparedCell(backend, { estimator, estimatorParams: work.estimatorParams, problem, batchSize }, async (cell) => {
    const rng = new Rng(hashSeed(work.seed, estimator.id, 'sweep-scaling', problem.dim, batchSize));
    const logits = problem.initialLogits;
    const baseline = await estimateBaseline({ cell, estimator, logits, batchSize, rng });
    const label = `${work.label} / dim ${problem.dim} / batch ${batchSize}`;
    const timing = await timeBatches(label, () => cell.estimateMoments(logits, baseline, batchSize, rng), batchSize, iterations);
    return { nsPerEstimate: timing.nsPerEstimate, msPerBatch: (timing.nsPerEstimate * batchSize) / 1e6 };
  });
}

/** Time per batch of one estimator as the batch size grows (at the suite's dim) and as the dimension grows. */
export async function measureScalingSeries(
  work: PlannedSeries, config: BenchConfig, registries: Registries, started: StartedBackend,
): Promise<ScalingSeries> {
  const empty = { bySamples: { nsPerEstimate: [] as number[], msPerBatch: [] as number[] }, byDim: { nsPerEstimate: [] as number[], msPerBatch: [] as number[] } };
  const split = (points: TimedPoint[]) => ({ nsPerEstimate: points.map((point) => point.nsPerEstimate), msPerBatch: points.map((point) => point.msPerBatch) });
  const iterations = scalingIterations(config);
  return measureSeries(work, registries, started, empty, async (backend, estimator) => {
    const suite = registries.suites.get(work.suite)!;
    const bySamples: TimedPoint[] = [];
    for (const batchSize of sweepDefaults.batchSizes) {
      bySamples.push(await timePoint(work, backend, { estimator, problem: kernelProblem(suite, work.suiteParams), batchSize, iterations }));
    }
    const byDim: TimedPoint[] = [];
    for (const dim of sweepDefaults.dims) {
      byDim.push(await timePoint(work, backend, { estimator, problem: kernelProblem(suite, { ...work.suiteParams, dim }), batchSize: sweepDefaults.scalingBatchSize, iterations }));
    }
    return { bySamples: split(bySamples), byDim: split(byDim) };
  });
}
