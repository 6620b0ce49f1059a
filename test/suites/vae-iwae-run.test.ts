/** objective=iwae through a whole run: training, scores at the fixed point and along training, refusals. */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../backends/cpu.js';
import { gradientScores, trainingResult, type BenchResults, type CellResult, type Registries } from '../../core/types.js';
import { builtInEstimators } from '../../estimators/index.js';
import { resolveConfig, type RawBenchOptions } from '../../harness/config.js';
import { runBenchmark } from '../../harness/runner.js';
import { builtInSuites } from '../../suites/index.js';

const registries: Registries = {
  suites: builtInSuites,
  estimators: builtInEstimators,
  backends: new Map([['cpu', () => createCpuBackend({ threads: 1 })]]),
};

function run(options: RawBenchOptions): Promise<BenchResults> {
  return runBenchmark(resolveConfig({ backend: 'cpu', timingIterations: 0, ...options }, registries), registries);
}

function cellOf(results: BenchResults, estimator: string): CellResult {
  const cell = results.cells.find((candidate) => candidate.estimator === estimator);
  if (!cell) throw new Error(`${estimator}: no cell`);
  return cell;
}

describe('mnist-binary-vae with objective=iwae', () => {
  it('vimco trains and is scored against the k-sample bound\'s Monte Carlo reference (at the fixed point and along training); arm is refused in one line', async () => {
    const settings = ['objective=iwae', 'vimco.k=3', 'latents=4', 'batch=8', 'warmupSteps=0', 'scoreExamples=2', 'referenceSamples=400', 'evalExamples=20'];
    const results = await run({ suite: 'mnist-binary-vae', estimator: 'vimco,arm', samples: 800, steps: 4, trainSeeds: 1, scoreAt: '0,4', set: settings });
    const vimco = cellOf(results, 'vimco');
    if (vimco.state !== 'completed') throw new Error(`vimco: ${'error' in vimco ? vimco.error : 'not completed'}`);
    const scores = gradientScores(vimco.metrics)!;
    expect(scores.referenceKind).toBe('monte-carlo');
    expect(scores.referenceStdErr).toBeGreaterThan(0);
    expect(scores.bias).toBeLessThan(5 * scores.biasStdErr);
    const points = trainingResult(vimco.metrics)!.scoresAlongTraining!;
    expect(points.map((point) => point.referenceKind)).toEqual(['monte-carlo', 'monte-carlo']);
    for (const point of points) expect(point.seeds[0].bias).toBeLessThan(5 * point.seeds[0].biasStdErr);
    expect(Number.isFinite(vimco.metrics.finalLoss)).toBe(true);
    const arm = cellOf(results, 'arm');
    expect(arm.state).toBe('unsupported');
    expect('error' in arm && arm.error).toMatch(/^objective=iwae needs k independent samples of h per estimate, and arm's evaluations are not/);
  });

  it('the reference differs from the ELBO\'s at the same point (the option reaches the reference)', async () => {
    const settings = ['latents=4', 'batch=8', 'warmupSteps=0', 'scoreExamples=2', 'referenceSamples=50', 'evalExamples=20', 'vimco.k=3'];
    const norm = async (objective: string) => {
      const cell = cellOf(await run({ suite: 'mnist-binary-vae', estimator: 'vimco', samples: 20, steps: 0, set: [...settings, `objective=${objective}`] }), 'vimco');
      if (cell.state !== 'completed') throw new Error('vimco did not complete');
      return Math.hypot(...gradientScores(cell.metrics)!.exactGradient);
    };
    expect(await norm('iwae')).not.toBe(await norm('elbo'));
  });
});
