/**
 * Shards: `--shard i/n` runs the part of the plan that falls in shard i of n. The assignment is
 * deterministic (every shard computes it from the same plan) and balanced by expected cost, so a CI
 * matrix or a Kubernetes Indexed Job spreads a grid over machines without a scheduler of our own.
 */
import { evaluationCount } from '../core/estimator.js';
import { UsageError } from '../core/errors.js';
import type { PlannedWork } from './plan.js';
import { sweepDefaults } from './sweep-grid.js';
import { trainingFallbacks } from './training.js';
import type { BenchConfig, Registries, ShardSpec } from '../core/types.js';

/** Largest shard count accepted: beyond it shards would hold a cell or two each. */
export const maxShards = 10_000;

/** Parses `i/n` (1 <= i <= n); a bad value is a UsageError saying how to write it. */
export function parseShard(text: string | undefined): ShardSpec | undefined {
  if (text === undefined) return undefined;
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = match ? Number(match[1]) : Number.NaN;
  const count = match ? Number(match[2]) : Number.NaN;
  if (!match || count < 1 || count > maxShards || index < 1 || index > count) {
    throw new UsageError(`--shard must be i/n with 1 <= i <= n <= ${maxShards} (for example --shard 2/3), got '${text}'`);
  }
  return { index, count };
}

/** Start-up work of any cell (compiling kernels, creating the problem), in the units of `expectedCost`. */
const fixedCost = 1 << 16;

/**
 * Expected cost of planned work in element-estimates (estimates x elements x objective evaluations),
 * the quantity every backend's time grows with. A model, not a measurement: it only has to rank
 * cells well enough to balance shards.
 */
export function expectedCost(work: PlannedWork, config: BenchConfig, registries: Registries): number {
  const dim = typeof work.suiteParams.dim === 'number' ? work.suiteParams.dim : 1;
  const estimator = registries.estimators.get(work.estimator);
  let evaluations = 1;
  try {
    if (estimator) evaluations = evaluationCount(estimator, work.estimatorParams);
  } catch {
    // An estimator that cannot count its evaluations fails its cell; its cost hardly matters.
  }
  const pilot = estimator?.kernels.baselineWeight ? (estimator.baselinePilotSamples ?? 1024) : 0;
  let estimates: number;
  if (work.kind === 'cell') {
    const { steps, seeds } = config.training;
    const samplesPerStep = config.training.samplesPerStep ?? trainingFallbacks.samplesPerStep;
    const scorePoints = config.training.scoreAt?.length ?? 0;
    estimates = config.samples + pilot + config.timingIterations * (config.batchSize + pilot) + steps * seeds * (samplesPerStep + pilot) +
      scorePoints * seeds * (config.samples + pilot);
  } else if (work.kind === 'logit-sweep') {
    // A scoring pass at every logit of the sweep (its suite runs with sweepDefaults.logitDim units).
    estimates = sweepDefaults.logits.length * (config.samples + pilot);
  } else {
    const iterations = sweepDefaults.scalingIterations + 2;
    const bySamples = sweepDefaults.batchSizes.reduce((total, size) => total + size * iterations * dim, 0);
    const byDim = sweepDefaults.dims.reduce((total, size) => total + sweepDefaults.scalingBatchSize * iterations * size, 0);
    return fixedCost + evaluations * (bySamples + byDim);
  }
  return fixedCost + estimates * dim * evaluations;
}

/**
 * The work of shard `shard.index` of `shard.count`, in plan order. Longest-processing-time-first:
 * work sorted by expected cost (then key) goes, one by one, to the shard with the least cost so far
 * (the lowest index on ties), which keeps every shard within the largest single cost of the mean.
 */
export function selectShard<T extends PlannedWork>(plan: readonly T[], shard: ShardSpec, cost: (work: T) => number): T[] {
  const loads = new Array<number>(shard.count).fill(0);
  const owner = new Map<string, number>();
  const order = plan.map((work) => ({ work, cost: cost(work) }))
    .sort((left, right) => right.cost - left.cost || (left.work.key < right.work.key ? -1 : left.work.key > right.work.key ? 1 : 0));
  for (const { work, cost: workCost } of order) {
    let lightest = 0;
    for (let index = 1; index < loads.length; index++) if (loads[index] < loads[lightest]) lightest = index;
    loads[lightest] += workCost;
    owner.set(work.key, lightest + 1);
  }
  return plan.filter((work) => owner.get(work.key) === shard.index);
}
