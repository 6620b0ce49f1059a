/** What a plain run spends its time on, and `--shard auto` under the schedulers' variables, as the CLI does it. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInEstimators } from '../../estimators/index.js';
import { gpuDevices } from '../../backends/gpu-presence.js';
import { builtInSuites } from '../../suites/index.js';
import { expectUsageError, readResults, type CliRun } from '../support/run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'estibench-defaults-'));
const quick = ['--samples', '2000', '--steps', '2', '--timing-iterations', '1', '--no-report'];

/** The scheduler variables a test sets, removed from the inherited environment first (a CI runner may have its own). */
const schedulerVariables = ['SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_COUNT', 'SLURM_ARRAY_TASK_MIN', 'SLURM_ARRAY_TASK_MAX', 'SLURM_ARRAY_TASK_STEP',
  'JOB_COMPLETION_INDEX', 'ESTIBENCH_SHARD_INDEX', 'ESTIBENCH_SHARD_COUNT', 'GITHUB_ACTIONS'];

/** Runs the built bench with `variables` as the only scheduler variables. */
function bench(args: readonly string[], variables: Record<string, string> = {}): CliRun {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !schedulerVariables.includes(name)));
  const run = spawnSync(process.execPath, ['dist/scripts/bench.js', ...args], { encoding: 'utf8', timeout: 300_000, env: { ...env, ...variables } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const runsOn = (estimator: string, suite: string) => builtInEstimators.get(estimator)!.nodeKinds.includes(builtInSuites.get(suite)!.nodeKind);

describe('a plain run', () => {
  it('plans only supported pairs, counts the others in one line, and lists them on request', () => {
    const out = join(work, 'plain');
    const run = bench(['--suite', 'bernoulli-toy,categorical-toy', '--backend', 'cpu', ...quick, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const skipped = ['bernoulli-toy', 'categorical-toy'].flatMap((suite) => [...builtInEstimators.keys()].filter((id) => !runsOn(id, suite)).map((id) => `${suite} / ${id}`));
    expect(run.stderr.split('\n').filter((line) => line.includes('unsupported'))).toEqual([
      `left out ${skipped.length} unsupported estimator × suite pairs (see --list-unsupported, or config.unsupportedPairs in results.json)`,
      expect.stringMatching(/^estibench: \d+ cells: \d+ completed, 0 unsupported, 0 errored$/),
    ]);
    expect(run.stdout).not.toMatch(/unsupported \(/);
    const results = readResults(out);
    expect(results.cells.every((cell) => cell.state === 'completed')).toBe(true);
    expect(results.config.unsupportedPairs?.map((pair) => `${pair.suite} / ${pair.estimator}`)).toEqual(skipped);

    const listed = bench(['--suite', 'bernoulli-toy,categorical-toy', '--list-unsupported', '--out', join(work, 'never-written')]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.trim().split('\n').map((line) => line.split(':')[0])).toEqual(skipped);
    expect(existsSync(join(work, 'never-written'))).toBe(false);
  });

  it('runs the gpu backend by default only where a GPU device exists, and says so in one line otherwise', () => {
    const out = join(work, 'backends');
    const run = bench(['--suite', 'bernoulli-toy', '--estimator', 'ste-sigmoid', ...quick, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    // On a machine without a GPU device gpu.js is never started; with one, what it reaches decides (see gpu-presence.test.ts).
    if (gpuDevices()?.length === 0) {
      expect(readResults(out).config.backends).toEqual(['cpu']);
      expect(run.stderr).toMatch(/^gpu backend left out: no GPU device here .*--backend gpu \(or cpu,gpu\) runs it anyway$/m);
    }
  });
});

describe('--shard auto', () => {
  const grid = ['--suite', 'bernoulli-toy', '--backend', 'cpu', '--estimator', 'ste-sigmoid,ste-identity,gumbel-softmax', ...quick];

  it('takes the shard from a Slurm array task and writes to --out with {shard} replaced', () => {
    const slurm = { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '2', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_STEP: '1' };
    const run = bench([...grid, '--shard', 'auto', '--out', join(work, 'slurm-{shard}')], slurm);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('--shard auto: shard 2/3 from SLURM_ARRAY_TASK_ID=1 of a 3-task array (min 0)');
    expect(readResults(join(work, 'slurm-2')).run.shard).toEqual({ index: 2, count: 3 });
  });

  it('takes the shard from a Kubernetes Indexed Job with the count given, and from ESTIBENCH_SHARD_INDEX/COUNT', () => {
    const kubernetes = bench([...grid, '--shard', 'auto/3', '--out', join(work, 'k8s-{shard}')], { JOB_COMPLETION_INDEX: '2' });
    expect(kubernetes.code, kubernetes.stderr).toBe(0);
    expect(readResults(join(work, 'k8s-3')).run.shard).toEqual({ index: 3, count: 3 });
    const matrix = bench([...grid, '--shard', 'auto', '--out', join(work, 'gha-{shard}')], { GITHUB_ACTIONS: 'true', ESTIBENCH_SHARD_INDEX: '0', ESTIBENCH_SHARD_COUNT: '3' });
    expect(matrix.code, matrix.stderr).toBe(0);
    expect(readResults(join(work, 'gha-1')).run.shard).toEqual({ index: 1, count: 3 });
  });

  it('refuses outside a scheduler with one line and exit 2', () => {
    expectUsageError(bench([...grid, '--shard', 'auto', '--out', join(work, 'never')]), /^estibench: --shard auto: no scheduler's shard index in the environment/);
    expectUsageError(bench([...grid, '--shard', 'auto'], { JOB_COMPLETION_INDEX: '0' }), /no shard count; give --shard auto\/N/);
  });
});
