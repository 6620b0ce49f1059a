import { Bench } from 'tinybench';
import type { TimingScores } from '../core/types.js';

/**
 * Times one batch of `batchSize` estimates with tinybench and reports the median per estimate.
 * Medians resist the scheduling noise of shared machines; compare backends or estimators as ratios
 * measured in the same run.
 */
export async function timeBatches(label: string, runBatch: () => Promise<unknown>, batchSize: number, iterations: number): Promise<TimingScores> {
  const bench = new Bench({ iterations, time: 0, warmupIterations: 2, warmupTime: 0, throws: true });
  bench.add(label, runBatch);
  await bench.run();
  const result = bench.tasks[0].result;
  if (result.state !== 'completed') {
    throw new Error(`timing of ${label} ended in state ${result.state}${'error' in result ? `: ${String(result.error)}` : ''}`);
  }
  const nanosecondsPerEstimate = 1e6 / batchSize;
  return {
    nsPerEstimate: result.latency.p50 * nanosecondsPerEstimate,
    nsPerEstimateMad: result.latency.mad * nanosecondsPerEstimate,
    timedBatches: result.latency.samplesCount,
    timedBatchSize: batchSize,
  };
}
