/**
 * `--shard auto`: the shard index and count from the scheduler that started this process, so one
 * command line serves every task of a Slurm array, every pod of a Kubernetes Indexed Job and every job
 * of a CI matrix. Sources, first found wins:
 * - `ESTIBENCH_SHARD_INDEX` (0-based) with `ESTIBENCH_SHARD_COUNT`: set them anywhere, e.g. in a GitHub
 *   Actions matrix from `strategy.job-index` and `strategy.job-total`;
 * - Slurm arrays: `SLURM_ARRAY_TASK_ID`, counted from `SLURM_ARRAY_TASK_MIN`, `SLURM_ARRAY_TASK_STEP`
 *   and `SLURM_ARRAY_TASK_COUNT` (or `SLURM_ARRAY_TASK_MAX`);
 * - Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX` (0-based); the count is not in a pod's environment,
 *   so it comes from `--shard auto/N` (N = the Job's completions) or `ESTIBENCH_SHARD_COUNT`.
 */
import { UsageError } from '../core/errors.js';
import type { ShardSpec } from '../core/types.js';
import { maxShards, parseShard } from './shards.js';

/** A shard and, for `auto`, the line that says where it came from. */
export interface ResolvedShard {
  readonly shard: ShardSpec;
  readonly from?: string;
}

const help = 'see docs/scale-out.md';

/** A whole number >= `least` from the environment variable `name`, or a UsageError naming it. */
function wholeNumber(env: NodeJS.ProcessEnv, name: string, least: number): number {
  const text = env[name]?.trim() ?? '';
  if (!/^\d+$/.test(text) || Number(text) < least) throw new UsageError(`--shard auto: ${name}='${env[name] ?? ''}' is not a whole number >= ${least}; ${help}`);
  return Number(text);
}

/** Checks the derived shard; `source` names the variables it came from. */
function checked(index: number, count: number, source: string): ShardSpec {
  if (count < 1 || count > maxShards) throw new UsageError(`--shard auto: ${source} gives ${count} shards; the count must be 1 to ${maxShards}`);
  if (index < 1 || index > count) throw new UsageError(`--shard auto: ${source} gives shard ${index} of ${count}, outside 1..${count}; ${help}`);
  return { index, count };
}

/** The count given with `auto/N`, or ESTIBENCH_SHARD_COUNT, or null. */
function givenCount(requested: number | null, env: NodeJS.ProcessEnv): { count: number; source: string } | null {
  if (requested !== null) return { count: requested, source: `--shard auto/${requested}` };
  if (env.ESTIBENCH_SHARD_COUNT !== undefined) return { count: wholeNumber(env, 'ESTIBENCH_SHARD_COUNT', 1), source: `ESTIBENCH_SHARD_COUNT=${env.ESTIBENCH_SHARD_COUNT}` };
  return null;
}

/** The shard of a Slurm array task: tasks MIN, MIN+STEP, ... are shards 1, 2, ... */
function slurmShard(env: NodeJS.ProcessEnv, requested: number | null): ResolvedShard {
  const id = wholeNumber(env, 'SLURM_ARRAY_TASK_ID', 0);
  const min = env.SLURM_ARRAY_TASK_MIN !== undefined ? wholeNumber(env, 'SLURM_ARRAY_TASK_MIN', 0) : 0;
  const step = env.SLURM_ARRAY_TASK_STEP !== undefined ? wholeNumber(env, 'SLURM_ARRAY_TASK_STEP', 1) : 1;
  const spanned = env.SLURM_ARRAY_TASK_MAX !== undefined ? Math.floor((wholeNumber(env, 'SLURM_ARRAY_TASK_MAX', min) - min) / step) + 1 : null;
  const counted = env.SLURM_ARRAY_TASK_COUNT !== undefined ? wholeNumber(env, 'SLURM_ARRAY_TASK_COUNT', 1) : null;
  const count = counted ?? spanned;
  if (count === null) throw new UsageError(`--shard auto: SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX; ${help}`);
  // A list such as --array=1,3,7 has no arithmetic from task id to shard: refuse rather than guess.
  if ((spanned !== null && counted !== null && spanned !== counted) || (id - min) % step !== 0) {
    throw new UsageError(`--shard auto: Slurm array task ${id} is not on an evenly spaced array (min ${min}, step ${step}, ${counted ?? spanned} tasks); submit a range such as --array=0-7 or --array=0-14:2, or give --shard i/n`);
  }
  if (requested !== null && requested !== count) throw new UsageError(`--shard auto/${requested}: the Slurm array has ${count} tasks; give --shard auto`);
  const source = `SLURM_ARRAY_TASK_ID=${id} of a ${count}-task array (min ${min}${step > 1 ? `, step ${step}` : ''})`;
  const shard = checked((id - min) / step + 1, count, source);
  return { shard, from: source };
}

/** A 0-based index from `indexName` with a count given separately (Kubernetes, a CI matrix). */
function zeroBasedShard(env: NodeJS.ProcessEnv, indexName: string, requested: number | null, what: string): ResolvedShard {
  const index = wholeNumber(env, indexName, 0);
  const count = givenCount(requested, env);
  if (!count) throw new UsageError(`--shard auto: ${what} ${indexName}=${index} but no shard count; give --shard auto/N (N = ${indexName === 'JOB_COMPLETION_INDEX' ? "the Job's completions" : 'the number of shards'}) or set ESTIBENCH_SHARD_COUNT`);
  const source = `${indexName}=${index} (0-based), ${count.source}`;
  return { shard: checked(index + 1, count.count, source), from: source };
}

/**
 * Resolves `--shard`: `i/n` as written, or `auto` / `auto/N` from the environment. Outside a
 * scheduler `auto` is a UsageError (one line, exit 2), never a silent whole run.
 */
export function resolveShard(text: string | undefined, env: NodeJS.ProcessEnv): ResolvedShard | undefined {
  if (text === undefined) return undefined;
  const auto = /^\s*auto(?:\s*\/\s*(\d+))?\s*$/.exec(text);
  if (!auto) {
    const shard = parseShard(text);
    return shard ? { shard } : undefined;
  }
  const requested = auto[1] !== undefined ? Number(auto[1]) : null;
  if (requested !== null && (requested < 1 || requested > maxShards)) throw new UsageError(`--shard auto/${auto[1]}: the count must be 1 to ${maxShards}`);
  if (env.ESTIBENCH_SHARD_INDEX !== undefined) return zeroBasedShard(env, 'ESTIBENCH_SHARD_INDEX', requested, 'the environment sets');
  if (env.SLURM_ARRAY_TASK_ID !== undefined) return slurmShard(env, requested);
  if (env.JOB_COMPLETION_INDEX !== undefined) return zeroBasedShard(env, 'JOB_COMPLETION_INDEX', requested, 'a Kubernetes Indexed Job gives');
  const ci = env.GITHUB_ACTIONS === 'true' ? ' (in GitHub Actions, set ESTIBENCH_SHARD_INDEX: ${{ strategy.job-index }} and ESTIBENCH_SHARD_COUNT: ${{ strategy.job-total }})' : '';
  throw new UsageError(`--shard auto: no scheduler's shard index in the environment (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, ESTIBENCH_SHARD_INDEX)${ci}; give --shard i/n, or ${help}`);
}

/** `--out` with `{shard}` replaced by the shard's index (1-based), so every shard of one command writes its own directory. */
export function withShardInPath(out: string | undefined, resolved: ResolvedShard | undefined): string | undefined {
  if (out === undefined || !out.includes('{shard}')) return out;
  if (!resolved) throw new UsageError(`--out '${out}' has {shard} but the run has no --shard; give --shard (i/n or auto) or drop {shard}`);
  return out.replaceAll('{shard}', String(resolved.shard.index));
}
