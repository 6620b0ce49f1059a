import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInEstimators } from '../../estimators/index.js';
import type { BenchResults } from '../../core/types.js';
import { builtInSuites } from '../../suites/index.js';

/**
 * Suites that run in seconds on both backends without a file, those of the default run: not onnx, which
 * needs a model file (test/onnx-*.test.ts run it), nor mnist-quantized-mlp and the VAEs, which train for
 * minutes (test/mnist.test.ts and test/vae-*.test.ts cover them).
 */
const quickSuites = [...builtInSuites.values()].filter((suite) => suite.inDefaultRun !== false).map((suite) => suite.id);
/** Suites without a reference gradient: their cells have no gradient scores. */
// Suites without a gradient reference: scores are absent there, never faked.
const unscoredSuites = ['mnist-quantized-mlp', 'mnist-vq-autoencoder'];

/** The built CLI (`npm test` builds first, see the pretest script). */
function bench(args: string[]) {
  const run = spawnSync(process.execPath, ['dist/scripts/bench.js', ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('estibench CLI', () => {
  it.each([
    [['--samples', '0'], /--samples must be a whole number >= 2, got 0/],
    [['--suite', 'nope'], /unknown suite 'nope'/],
    [['--estimator', 'ste-identity,nope'], /unknown estimator 'nope'/],
    [['--backend', 'tpu'], /unknown backend 'tpu'/],
    [['--set', 'gumbel-softmax.tau=0'], /tau must be > 0/],
    [['--set', 'dim'], /malformed --set 'dim'/],
    [['--no-such-flag'], /Unknown argument/],
    [['--steps', '100', '--score-at', '0,12.5'], /--score-at must be whole numbers .* got '12.5'/],
    [['--steps', '100', '--score-at', '50,10'], /--score-at steps must increase, got 10 after 50/],
    [['--steps', '100', '--score-at', '0,200'], /--score-at step 200 is beyond --steps 100/],
  ])('%j exits 2 with one line and no stack trace', (args, message) => {
    const { code, stdout, stderr } = bench([...args, '--out', join(tmpdir(), 'estibench-never-written')]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('writes results.json in the documented shape, and the same seed gives the same scores', () => {
    const common = ['--suite', quickSuites.join(','), '--samples', '3000', '--steps', '4', '--train-seeds', '2', '--timing-iterations', '2', '--set', 'dim=8', '--set', 'tau=0.7'];
    const outA = mkdtempSync(join(tmpdir(), 'estibench-a-'));
    const outB = mkdtempSync(join(tmpdir(), 'estibench-b-'));
    const first = bench([...common, '--out', outA, '--backend', 'cpu,gpu']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/bias ± se/);
    const second = bench([...common, '--out', outB, '--backend', 'cpu']);
    expect(second.code, second.stderr).toBe(0);

    const results = JSON.parse(readFileSync(join(outA, 'results.json'), 'utf8')) as BenchResults;
    expect(results.schemaVersion).toBe(2);
    // Pairs whose node kind the estimator lacks are left out of the plan, and listed in the configuration.
    const runsOn = (estimator: string, suite: string) => builtInEstimators.get(estimator)!.nodeKinds.includes(builtInSuites.get(suite)!.nodeKind);
    const supportedPairs = quickSuites.reduce((total, suite) => total + [...builtInEstimators.keys()].filter((id) => runsOn(id, suite)).length, 0);
    expect(results.config.unsupportedPairs).toHaveLength(quickSuites.length * builtInEstimators.size - supportedPairs);
    expect(results.run).toMatchObject({ state: 'complete', plannedCells: supportedPairs * 2, resumedCells: 0, missingCells: [] });
    expect(Date.parse(results.createdAt)).not.toBeNaN();
    expect(results.env.node).toBe(process.version);
    expect(results.env.backends.map((backend) => backend.id)).toEqual(['cpu', 'gpu']);
    expect(results.config.samples).toBe(3000);
    expect(results.cells).toHaveLength(supportedPairs * 2);
    // results.csv beside it: a header and one row per cell (no field of these cells spans lines).
    expect(readFileSync(join(outA, 'results.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(results.cells.length + 1);
    for (const cell of results.cells) {
      expect(cell).toMatchObject({ samples: 3000, state: 'completed' });
      expect(quickSuites).toContain(cell.suite);
      expect(['cpu', 'gpu']).toContain(cell.backend);
      expect(cell.backendMode).toMatch(/^(cpu|gpu):/);
      expect(cell.key).toMatch(/^[0-9a-f]{16}$/);
      // teacher-student's gradient is [∂/∂w (n = 10), ∂/∂v (m = 20)] and it records the teacher, not logits.
      const width = cell.suite === 'categorical-toy' ? 8 * 6 : cell.suite === 'teacher-student' ? 30 : 8;
      const expectedSuiteParams: Record<string, object> = {
        'bernoulli-toy': { dim: 8, t: 0.45 }, 'categorical-toy': { dim: 8, classes: 6, t: 0.8 }, 'teacher-student': { m: 20, n: 10, startNear: 0, anchor: 0 },
      };
      expect(cell.suiteParams).toMatchObject(expectedSuiteParams[cell.suite] ?? { dim: 8 });
      if (cell.suite === 'teacher-student') expect(cell.problemParams?.teacherW).toHaveLength(10);
      else expect(cell.problemParams?.logits).toHaveLength(width);
      if (cell.estimator === 'gumbel-softmax') expect(cell.estimatorParams).toEqual({ tau: 0.7 });
      if (cell.estimator === 'additive-noise') expect(cell.estimatorParams).toEqual({ sigma: 1 });
      if (cell.state !== 'completed') continue;
      for (const key of ['bias', 'biasStdErr', 'relativeBias', 'variance', 'mse', 'cosine', 'nsPerEstimate', 'finalLoss']) {
        expect(Number.isFinite((cell.metrics as unknown as Record<string, number>)[key]), key).toBe(true);
      }
      for (const key of ['exactGradient', 'meanGradient', 'varianceByUnit'] as const) expect(cell.metrics[key]).toHaveLength(width);
      expect(cell.metrics.referenceKind).toBe(cell.suite === 'bernoulli-quadratic' ? 'enumeration' : 'closed-form');
      expect(cell.metrics.lossCurve?.step).toEqual([0, 1, 2, 3, 4]);
      expect(cell.metrics.lossCurve?.loss).toHaveLength(5);
    }

    const rerun = JSON.parse(readFileSync(join(outB, 'results.json'), 'utf8')) as BenchResults;
    const scores = (cells: BenchResults['cells']) =>
      cells.filter((cell) => cell.backend === 'cpu').map((cell) => {
        if (cell.state !== 'completed') return cell.state;
        const { nsPerEstimate, nsPerEstimateMad, timedBatches, timedBatchSize, msPerTrainingStep, msPerTrainingStepMad, ...deterministic } = cell.metrics;
        return deterministic;
      });
    expect(scores(rerun.cells)).toEqual(scores(results.cells));
  });

  it('--steps 0 trains nothing and ranks no final loss; --threads is passed to the CPU backend and recorded', () => {
    const out = mkdtempSync(join(tmpdir(), 'estibench-steps0-'));
    // The VAEs' fixed point at their defaults (1000 warm-up steps, 2000 reference samples per image) takes minutes here: a short one.
    const shortVaeFixedPoint = ['--set', 'warmupSteps=20', '--set', 'referenceSamples=20'];
    const run = bench(['--suite', [...builtInSuites.keys()].filter((id) => id !== 'onnx').join(','), '--backend', 'cpu', '--threads', '1', '--samples', '2000', '--steps', '0', '--timing-iterations', '1', ...shortVaeFixedPoint, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchResults;
    expect(results.config.threads).toBe(1);
    expect(results.env.backends[0].details?.threads).toBe('1');
    for (const cell of results.cells) {
      // Pairs that cannot run are left out of the plan (node kinds, and a network's dL/dh-only nodes).
      const estimator = builtInEstimators.get(cell.estimator)!;
      expect(estimator.nodeKinds).toContain(builtInSuites.get(cell.suite)!.nodeKind);
      expect(cell.state, 'error' in cell ? cell.error : '').toBe('completed');
      if (cell.state !== 'completed') continue;
      expect(cell.metrics.finalLoss).toBeUndefined();
      expect(cell.metrics.lossCurve).toBeUndefined();
      if (unscoredSuites.includes(cell.suite)) expect(cell.metrics.bias).toBeUndefined();
      else expect(cell.metrics.bias).toBeGreaterThan(0);
    }
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).not.toContain('lowest final loss');
    expect(report).toContain('none (--steps 0)');
  });
});
