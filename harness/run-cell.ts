/**
 * How one planned cell is computed: the only place that turns a cell's settings into numbers. The
 * planner, the cells.jsonl store, interruption and progress live elsewhere (runner.ts).
 */
import type { Problem, StagedProblem } from '../core/suite.js';
import type { StartedBackend } from './backend-start.js';
import { prepareCell, problemUnsupportedReason, recordedProblemParams, type ReadyCell } from './cell.js';
import { errorMessage } from '../core/errors.js';
import { estimatorTraits } from './estimator-traits.js';
import { unsupportedNodeReason } from '../core/node-kinds.js';
import type { PlannedCell } from './plan.js';
import { hashSeed, Rng } from '../core/rng.js';
import { estimateBaseline, scoreAtLogits } from './sampling.js';
import { timeBatches } from './timing.js';
import { trainLogits } from './training.js';
import { trajectoryScorer } from './scores-along-training.js';
import { stateRecord } from './estimator-state.js';
import type { BenchConfig, CellMetrics, CellResult, Registries } from '../core/types.js';

/**
 * Runs one cell on its (already started) backend: scores the estimator at the trained parameters'
 * start against the suite's reference gradient (the gradient scores are absent when the suite has
 * none), times batches, trains (scoring the trajectory at the `--score-at` steps). Never throws: a failure is kept on the cell's result (`errored`), and
 * what the estimator or the backends do not support gives `unsupported`.
 */
export async function runCell(cell: PlannedCell, config: BenchConfig, registries: Registries, started: StartedBackend): Promise<CellResult> {
  const begin = performance.now();
  const elapsedMs = () => performance.now() - begin;
  const identity = {
    key: cell.key,
    suite: cell.suite,
    estimator: cell.estimator,
    backend: cell.backend,
    ...(started.backend ? { backendMode: started.backend.mode } : {}),
    seed: cell.seed,
    samples: config.samples,
    suiteParams: cell.suiteParams,
    estimatorParams: cell.estimatorParams,
  };
  let prepared: ReadyCell | null = null;
  let problem: Problem | StagedProblem | null = null;
  try {
    const suite = registries.suites.get(cell.suite)!;
    const estimator = registries.estimators.get(cell.estimator)!;
    problem = suite.create(cell.suiteParams);
    const recorded = { ...identity, nodeKind: problem.nodeKind, problemParams: recordedProblemParams(problem), estimatorTraits: estimatorTraits(estimator, cell.estimatorParams) };
    const unsupported = unsupportedNodeReason(estimator, problem.nodeKind) ?? problemUnsupportedReason(problem, estimator);
    if (unsupported) return { ...recorded, state: 'unsupported', error: `${unsupported} (suite ${suite.id})`, elapsedMs: elapsedMs() };
    if (!started.backend) {
      return { ...recorded, state: 'errored', error: `backend ${cell.backend} did not start: ${started.report.error}`, elapsedMs: elapsedMs() };
    }
    prepared = prepareCell(started.backend, { estimator, estimatorParams: cell.estimatorParams, problem, batchSize: config.batchSize });
    const ready = prepared;
    // Streams depend on the seed, suite and estimator but not the backend: every backend sees the same noise.
    const scoringRng = new Rng(hashSeed(cell.seed, cell.suite, cell.estimator, 'score'));
    const logits = ready.initialParameters;
    // Null when the suite has no reference gradient: the gradient scores are then absent, never faked.
    const scores = await scoreAtLogits({ cell: ready, estimator, logits, samples: config.samples, batchSize: config.batchSize, rng: scoringRng });
    const timingRng = new Rng(hashSeed(cell.seed, cell.suite, cell.estimator, 'timing'));
    // A timed batch includes the baseline pilot, as one scoring pass would. Suites without a reference
    // gradient (networks on data) and suites scored at their own target (a VAE, whose estimate is a whole
    // minibatch gradient) are timed per training step instead (msPerTrainingStep).
    const timing = config.timingIterations > 0 && scores && !ready.scoring
      ? await timeBatches(
        cell.label,
        async () => {
          const pilotBaseline = await estimateBaseline({ cell: ready, estimator, logits, batchSize: config.batchSize, rng: timingRng });
          return ready.estimateMoments(logits, pilotBaseline, config.batchSize, timingRng);
        },
        config.batchSize,
        config.timingIterations,
      )
      : {};
    const atScoring = ready.estimatorState.current();
    let finalEstimatorStates: Record<string, number>[] = [];
    let training = {};
    if (config.training.steps > 0) {
      const trainingRngs = Array.from(
        { length: config.training.seeds },
        (_, run) => new Rng(hashSeed(cell.seed, cell.suite, cell.estimator, 'train', run)),
      );
      const { scoreAt } = config.training;
      const scorer = scoreAt && scoreAt.length > 0
        ? trajectoryScorer({
          cell: ready, estimator, seed: cell.seed, suite: cell.suite, estimatorId: cell.estimator, steps: scoreAt, samples: config.samples, batchSize: config.batchSize,
        })
        : undefined;
      const { finalEstimatorStates: finalStates, ...trained } = await trainLogits(ready, estimator, config.training, trainingRngs, scorer);
      if (!Number.isFinite(trained.finalLoss)) throw new Error(`training diverged: final loss ${trained.finalLoss}`);
      training = trained;
      finalEstimatorStates = finalStates;
    }
    const estimatorState = stateRecord(ready.estimatorState, atScoring, finalEstimatorStates);
    // Each group is whole or absent, as CellMetrics requires: the spread cannot show TypeScript that.
    const metrics = { ...(scores ?? {}), ...timing, ...training } as CellMetrics;
    return { ...recorded, execution: ready.execution, ...(estimatorState ? { estimatorState } : {}), state: 'completed', metrics, elapsedMs: elapsedMs() };
  } catch (error) {
    const recorded = problem
      ? { nodeKind: problem.nodeKind, problemParams: recordedProblemParams(problem), ...(prepared ? { execution: prepared.execution } : {}) }
      : {};
    return { ...identity, ...recorded, state: 'errored', error: errorMessage(error), elapsedMs: elapsedMs() };
  } finally {
    prepared?.dispose();
  }
}
