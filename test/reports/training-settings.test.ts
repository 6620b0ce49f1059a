import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../backends/cpu.js';
import { builtInEstimators } from '../../estimators/index.js';
import { resolveConfig, type RawBenchOptions } from '../../harness/config.js';
import { runBenchmark } from '../../harness/runner.js';
import { trainingResult, type Registries } from '../../core/types.js';
import { planCharts } from '../../reports/charts/index.js';
import { builtInSuites } from '../../suites/index.js';

const registries: Registries = {
  suites: builtInSuites,
  estimators: builtInEstimators,
  backends: new Map([['cpu', () => createCpuBackend({ threads: 1 })]]),
};

/** The training chart's caption after a short teacher-student run (its suite trains with SGD, lr 0.05, 16 estimates per step). */
async function trainingCaption(options: Partial<RawBenchOptions>): Promise<{ caption: string; settings: unknown }> {
  const config = resolveConfig({ suite: 'teacher-student', estimator: 'ste-identity', backend: 'cpu', samples: 200, steps: 3, trainSeeds: 2, timingIterations: 0, ...options }, registries);
  const results = await runBenchmark(config, registries);
  const cell = results.cells.find((candidate) => candidate.state === 'completed')!;
  const spec = planCharts(results).find(({ definition }) => definition.id === 'training-curves')!.specs[0];
  return { caption: spec.caption, settings: cell.state === 'completed' ? trainingResult(cell.metrics)?.trainingSettings : undefined };
}

describe('training settings recorded per cell', () => {
  it('records and shows the suite\'s defaults where the command line leaves them unset', async () => {
    const { caption, settings } = await trainingCaption({});
    expect(settings).toEqual({ optimizer: 'sgd', learningRate: 0.05, samplesPerStep: 16, precision: 'float64' });
    expect(caption).toContain('3 SGD steps (learning rate 0.05, 16 estimates per step)');
  });

  it('records and shows the command line\'s choices over the suite\'s', async () => {
    const { caption, settings } = await trainingCaption({ optimizer: 'adam', learningRate: 0.01, trainSamples: 4 });
    expect(settings).toEqual({ optimizer: 'adam', learningRate: 0.01, samplesPerStep: 4, precision: 'float64' });
    expect(caption).toContain('3 Adam steps (learning rate 0.01, 4 estimates per step)');
  });
});
