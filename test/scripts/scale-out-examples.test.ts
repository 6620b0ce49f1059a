/** The shipped scale-out examples run as their schedulers would start them: each task with only its scheduler's variables. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResults } from '../support/run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'estibench-scale-out-'));
/** Small settings appended to the examples' grids (later options win), so a shard takes seconds. */
const small = ['--samples', '500', '--steps', '2', '--train-seeds', '1', '--timing-iterations', '1'];
const schedulerVariables = ['SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_COUNT', 'SLURM_ARRAY_TASK_MIN', 'SLURM_ARRAY_TASK_MAX', 'SLURM_ARRAY_TASK_STEP',
  'JOB_COMPLETION_INDEX', 'ESTIBENCH_SHARD_INDEX', 'ESTIBENCH_SHARD_COUNT'];
const environment = (variables: Record<string, string>) => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !schedulerVariables.includes(name))), ...variables,
});

describe('scale-out examples', () => {
  it('examples/scale-out/slurm-array.sh runs the shard of its array task', () => {
    const results = join(work, 'slurm');
    // Task 3 of sbatch --array=0-7 (the script's own #SBATCH --array), as Slurm sets the variables.
    const variables = { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '7', SLURM_ARRAY_TASK_COUNT: '8', SLURM_ARRAY_TASK_STEP: '1', SLURM_CPUS_PER_TASK: '1', ESTIBENCH_RESULTS_DIR: results };
    const run = spawnSync('bash', ['examples/scale-out/slurm-array.sh', ...small], { encoding: 'utf8', timeout: 300_000, env: environment(variables) });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('--shard auto: shard 4/8 from SLURM_ARRAY_TASK_ID=3 of a 8-task array (min 0)');
    const shard = readResults(join(results, 'shard-4'));
    expect(shard.run).toMatchObject({ state: 'complete', shard: { index: 4, count: 8 } });
    expect(shard.cells.length).toBeGreaterThan(0);
    expect(readFileSync('examples/scale-out/slurm-array.sh', 'utf8')).toMatch(/^#SBATCH --array=0-7$/m);
  });

  it('examples/scale-out/kubernetes-indexed-job.yaml: a pod\'s command runs the shard of its completion index', () => {
    const manifest = readFileSync('examples/scale-out/kubernetes-indexed-job.yaml', 'utf8');
    const completions = Number(/^\s+completions: (\d+)$/m.exec(manifest)?.[1]);
    // The container's command: the list items between `command:` and `volumeMounts:`.
    const commandBlock = /command:\n((?:\s+- .*\n)+)\s+volumeMounts:/.exec(manifest)?.[1] ?? '';
    const command = commandBlock.trim().split('\n').map((line) => line.trim().replace(/^- /, '').replace('/results', join(work, 'k8s')));
    expect(command.slice(0, 2)).toEqual(['node', 'dist/scripts/bench.js']);
    expect(command).toContain(`--shard=auto/${completions}`);
    const run = spawnSync(command[0] === 'node' ? process.execPath : command[0], [...command.slice(1), ...small], {
      encoding: 'utf8', timeout: 300_000, env: environment({ JOB_COMPLETION_INDEX: String(completions - 1) }),
    });
    expect(run.status, run.stderr).toBe(0);
    expect(readResults(join(work, 'k8s', `shard-${completions}`)).run).toMatchObject({ state: 'complete', shard: { index: completions, count: completions } });
  });
});
