import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { resolveShard, withShardInPath } from '../../harness/shard-auto.js';

const shardOf = (text: string, env: NodeJS.ProcessEnv) => resolveShard(text, env)?.shard;

/** The one-line refusal of `--shard text` under `env`. */
function refusal(text: string, env: NodeJS.ProcessEnv): string {
  try {
    resolveShard(text, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error(`--shard ${text} was accepted under ${JSON.stringify(env)}`);
}

describe('--shard auto', () => {
  it('reads a Slurm array: tasks min, min+step, ... are shards 1, 2, ...', () => {
    // sbatch --array=0-7: SLURM_ARRAY_TASK_ID 0..7, COUNT 8, MIN 0, MAX 7, STEP 1.
    const array = { SLURM_ARRAY_TASK_COUNT: '8', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '7', SLURM_ARRAY_TASK_STEP: '1' };
    expect(shardOf('auto', { ...array, SLURM_ARRAY_TASK_ID: '0' })).toEqual({ index: 1, count: 8 });
    expect(shardOf('auto', { ...array, SLURM_ARRAY_TASK_ID: '7' })).toEqual({ index: 8, count: 8 });
    // --array=1-4: 1-based ids.
    expect(shardOf('auto', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '4', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 3, count: 4 });
    // --array=10-16:2 (10, 12, 14, 16): 4 tasks; task 14 is the third.
    const stepped = { SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_MAX: '16', SLURM_ARRAY_TASK_STEP: '2', SLURM_ARRAY_TASK_COUNT: '4' };
    expect(shardOf('auto', { ...stepped, SLURM_ARRAY_TASK_ID: '14' })).toEqual({ index: 3, count: 4 });
    // Without COUNT, the bounds give it.
    expect(shardOf('auto', { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '2', SLURM_ARRAY_TASK_MAX: '5' })).toEqual({ index: 4, count: 4 });
    expect(resolveShard('auto', { ...array, SLURM_ARRAY_TASK_ID: '2' })?.from).toBe('SLURM_ARRAY_TASK_ID=2 of a 8-task array (min 0)');
    expect(shardOf('auto/8', { ...array, SLURM_ARRAY_TASK_ID: '2' })).toEqual({ index: 3, count: 8 });
  });

  it('refuses Slurm arrays of irregular indices and counts that disagree', () => {
    // --array=1,3,7: COUNT 3, but the bounds span 7.
    expect(refusal('auto', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '7', SLURM_ARRAY_TASK_COUNT: '3' })).toMatch(/not on an evenly spaced array/);
    expect(refusal('auto/4', { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '7', SLURM_ARRAY_TASK_COUNT: '8' })).toMatch(/has 8 tasks/);
    expect(refusal('auto', { SLURM_ARRAY_TASK_ID: 'x', SLURM_ARRAY_TASK_COUNT: '8' })).toMatch(/SLURM_ARRAY_TASK_ID='x' is not a whole number/);
    expect(refusal('auto', { SLURM_ARRAY_TASK_ID: '1' })).toMatch(/neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX/);
  });

  it('reads a Kubernetes Indexed Job, with the count from auto/N or ESTIBENCH_SHARD_COUNT', () => {
    expect(shardOf('auto/4', { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 1, count: 4 });
    expect(shardOf('auto', { JOB_COMPLETION_INDEX: '3', ESTIBENCH_SHARD_COUNT: '4' })).toEqual({ index: 4, count: 4 });
    expect(refusal('auto', { JOB_COMPLETION_INDEX: '3' })).toMatch(/JOB_COMPLETION_INDEX=3 but no shard count; give --shard auto\/N \(N = the Job's completions\)/);
    expect(refusal('auto/4', { JOB_COMPLETION_INDEX: '4' })).toMatch(/shard 5 of 4, outside 1..4/);
  });

  it('reads ESTIBENCH_SHARD_INDEX and ESTIBENCH_SHARD_COUNT (a GitHub Actions matrix sets them from strategy.job-index and job-total)', () => {
    expect(shardOf('auto', { GITHUB_ACTIONS: 'true', ESTIBENCH_SHARD_INDEX: '2', ESTIBENCH_SHARD_COUNT: '3' })).toEqual({ index: 3, count: 3 });
    // Set explicitly, they win over a scheduler's variables.
    expect(shardOf('auto', { ESTIBENCH_SHARD_INDEX: '0', ESTIBENCH_SHARD_COUNT: '2', SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_COUNT: '8' })).toEqual({ index: 1, count: 2 });
    expect(refusal('auto', { GITHUB_ACTIONS: 'true' })).toMatch(/set ESTIBENCH_SHARD_INDEX: \$\{\{ strategy.job-index \}\}/);
  });

  it('refuses outside a scheduler, and leaves i/n as it was', () => {
    expect(refusal('auto', {})).toBe("--shard auto: no scheduler's shard index in the environment (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, ESTIBENCH_SHARD_INDEX); give --shard i/n, or see docs/scale-out.md");
    expect(refusal('auto/0', { JOB_COMPLETION_INDEX: '0' })).toMatch(/count must be 1 to/);
    expect(shardOf('2/3', { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '8' })).toEqual({ index: 2, count: 3 });
    expect(resolveShard(undefined, {})).toBeUndefined();
    expect(refusal('auto/x', {})).toMatch(/--shard must be i\/n/);
  });

  it('puts the shard index into --out where it says {shard}', () => {
    const resolved = resolveShard('auto/4', { JOB_COMPLETION_INDEX: '1' });
    expect(withShardInPath('results/shard-{shard}', resolved)).toBe('results/shard-2');
    expect(withShardInPath('bench-out', resolved)).toBe('bench-out');
    expect(withShardInPath(undefined, resolved)).toBeUndefined();
    expect(() => withShardInPath('out-{shard}', undefined)).toThrow(/has \{shard\} but the run has no --shard/);
  });
});
