import { cpus } from 'node:os';
import type { ComputeBackend } from '../backends/backend.js';
import { errorMessage } from './errors.js';
import { dependencyVersions, packageVersion } from './package-info.js';
import { startBackend, type StartedBackend } from './backend-start.js';
import { unsupportedNodeReason } from './node-kinds.js';
import { hashSeed, Rng } from './rng.js';
import { prepareCell, problemUnsupportedReason, recordedProblemParams, type ReadyCell } from './cell.js';
import { estimateBaseline, scoreAtLogits } from './sampling.js';
import { timeBatches } from './timing.js';
import { trainLogits } from './training.js';
import type { BenchConfig, BenchResults, CellResult, ProgressEvent, Registries } from './types.js';

/** Version of the results.json layout; bump on incompatible changes. */
export const resultsSchemaVersion = 1 as const;

interface CellPlan {
  readonly suiteId: string;
  readonly estimatorId: string;
  readonly backendId: string;
}

async function runCell(plan: CellPlan, config: BenchConfig, registries: Registries, started: StartedBackend): Promise<CellResult> {
  const begin = performance.now();
  const suite = registries.suites.get(plan.suiteId)!;
  const estimator = registries.estimators.get(plan.estimatorId)!;
  const suiteParams = config.suiteParams[plan.suiteId];
  const estimatorParams = config.estimatorParams[plan.estimatorId];
  const problem = suite.create(suiteParams);
  const identity = {
    suite: plan.suiteId,
    estimator: plan.estimatorId,
    backend: plan.backendId,
    ...(started.backend ? { backendMode: started.backend.mode } : {}),
    samples: config.samples,
    params: { ...suiteParams, ...estimatorParams, ...recordedProblemParams(problem) },
  };
  const elapsedMs = () => performance.now() - begin;
  const unsupported = unsupportedNodeReason(estimator, problem.nodeKind) ?? problemUnsupportedReason(problem, estimator);
  if (unsupported) return { ...identity, state: 'unsupported', error: `${unsupported} (suite ${suite.id})`, elapsedMs: elapsedMs() };
  if (!started.backend) {
    return { ...identity, state: 'errored', error: `backend ${plan.backendId} did not start: ${started.report.error}`, elapsedMs: elapsedMs() };
  }
  const backend = started.backend;
  let cell: ReadyCell | null = null;
  try {
    cell = prepareCell(backend, { estimator, estimatorParams, problem, batchSize: config.batchSize });
    const prepared = cell;
    // Streams depend on the seed, suite and estimator but not the backend: every backend sees the same noise.
    const scoringRng = new Rng(hashSeed(config.seed, plan.suiteId, plan.estimatorId, 'score'));
    const logits = prepared.initialParameters;
    const scores = await scoreAtLogits(prepared, estimator, logits, config.samples, config.batchSize, scoringRng);
    // Results schema 1 has no place for a cell without gradient scores (schema 2 makes them optional).
    if (!scores) throw new Error(`suite ${plan.suiteId} has no reference gradient to score against`);
    const timingRng = new Rng(hashSeed(config.seed, plan.suiteId, plan.estimatorId, 'timing'));
    // A timed batch includes the baseline pilot, as one scoring pass would. Suites without a reference
    // gradient (networks on data) are timed per training step instead.
    const timing = config.timingIterations > 0 && scores
      ? await timeBatches(
        `${plan.suiteId}/${plan.estimatorId}/${plan.backendId}`,
        async () => {
          const pilotBaseline = await estimateBaseline(prepared, estimator, logits, config.batchSize, timingRng);
          return prepared.estimateMoments(logits, pilotBaseline, config.batchSize, timingRng);
        },
        config.batchSize,
        config.timingIterations,
      )
      : {};
    const trainingRngs = Array.from(
      { length: config.training.seeds },
      (_, run) => new Rng(hashSeed(config.seed, plan.suiteId, plan.estimatorId, 'train', run)),
    );
    const training = await trainLogits(prepared, estimator, config.training, trainingRngs);
    if (!Number.isFinite(training.finalLoss)) throw new Error(`training diverged: final loss ${training.finalLoss}`);
    return {
      ...identity,
      state: 'completed',
      metrics: { ...scores, ...timing, ...training },
      elapsedMs: elapsedMs(),
    };
  } catch (error) {
    return { ...identity, state: 'errored', error: errorMessage(error), elapsedMs: elapsedMs() };
  } finally {
    cell?.dispose();
  }
}

/**
 * Runs every cell (suite x estimator x backend) of the configuration. A failing cell or backend
 * never aborts the run: its error is kept on its result.
 */
export async function runBenchmark(
  config: BenchConfig, registries: Registries, onProgress: (event: ProgressEvent) => void = () => {},
): Promise<BenchResults> {
  const started = new Map<string, StartedBackend>();
  for (const id of config.backends) {
    const backend = await startBackend(id, registries);
    started.set(id, backend);
    onProgress({ kind: 'backend', report: backend.report });
  }
  const plans: CellPlan[] = config.suites.flatMap((suiteId) =>
    config.estimators.flatMap((estimatorId) => config.backends.map((backendId) => ({ suiteId, estimatorId, backendId }))),
  );
  const cells: CellResult[] = [];
  try {
    for (const [index, plan] of plans.entries()) {
      onProgress({ kind: 'cell-start', index, total: plans.length, label: `${plan.suiteId} / ${plan.estimatorId} / ${plan.backendId}` });
      const cell = await runCell(plan, config, registries, started.get(plan.backendId)!);
      cells.push(cell);
      onProgress({ kind: 'cell-end', index, total: plans.length, cell });
    }
  } finally {
    for (const { backend } of started.values()) backend?.dispose();
  }
  const cpuList = cpus();
  return {
    schemaVersion: resultsSchemaVersion,
    createdAt: new Date().toISOString(),
    env: {
      node: process.version,
      v8: process.versions.v8,
      platform: process.platform,
      arch: process.arch,
      cpus: cpuList[0]?.model ?? 'unknown',
      cpuCount: cpuList.length,
      estibench: packageVersion(),
      packages: dependencyVersions(),
      backends: [...started.values()].map(({ report }) => report),
    },
    config,
    cells,
  };
}
