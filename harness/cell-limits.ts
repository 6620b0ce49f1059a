/**
 * The limits every cell runs under when cells run in supervised workers (`cell-supervisor.ts`): a
 * time limit (`--cell-timeout`) and a memory limit (`--cell-memory`). The default time limit grows
 * with the cell's planned work, so that it never cuts a real cell short on a slow machine and still
 * ends a cell that would never end.
 */
import { totalmem } from 'node:os';
import { UsageError } from '../core/errors.js';
import type { BenchConfig, Registries } from '../core/types.js';
import type { PlannedWork } from './plan.js';
import { expectedCost } from './shards.js';

/** The defaults, documented in docs/trust-and-limits.md and `--help`. */
export const cellLimitDefaults = Object.freeze({
  /** Seconds every cell gets whatever its size: start-up, compiling, a slow shared machine. */
  baseSeconds: 900,
  /**
   * Seconds per planned element-estimate (`expectedCost`): 1 µs, about 100 times what one costs on a
   * CPU core, so only a cell that has stopped making progress reaches it.
   */
  secondsPerElementEstimate: 1e-6,
  /** Seconds a worker gets to start (Node, the built-in modules) and a backend to start in it (Xvfb, headless-gl). */
  startSeconds: 120,
  /** Seconds loading the plug-ins may take when `--cell-timeout` is not given. */
  pluginLoadSeconds: 60,
  /** Memory of one worker, MiB: half of this machine's memory, at most 16 GiB. */
  memoryMiB: Math.max(512, Math.min(16_384, Math.floor(totalmem() / 2 / 2 ** 20))),
});

/** The largest `--cell-timeout` (a week) and the range of `--cell-memory`. */
export const cellLimitBounds = Object.freeze({ maxTimeoutSeconds: 7 * 24 * 3600, minMemoryMiB: 256, maxMemoryMiB: 1 << 20 });

/** Limits as resolved from the command line. */
export interface CellLimits {
  /** A fixed time limit per cell in seconds (`--cell-timeout`), or null for the default scaled to each cell's work. */
  readonly timeoutSeconds: number | null;
  /** Memory limit of a worker in MiB: the V8 heap limit and the resident-set watchdog. */
  readonly memoryMiB: number;
}

/** Checks `--cell-timeout` and `--cell-memory`; a bad value is a UsageError saying what to give. */
export function resolveCellLimits(raw: { timeoutSeconds?: number; memoryMiB?: number }): CellLimits {
  const timeout = raw.timeoutSeconds;
  if (timeout !== undefined && !(timeout > 0 && timeout <= cellLimitBounds.maxTimeoutSeconds)) {
    throw new UsageError(`--cell-timeout must be a number of seconds > 0 and at most ${cellLimitBounds.maxTimeoutSeconds}, got ${timeout}`);
  }
  const memory = raw.memoryMiB ?? cellLimitDefaults.memoryMiB;
  if (!Number.isInteger(memory) || memory < cellLimitBounds.minMemoryMiB || memory > cellLimitBounds.maxMemoryMiB) {
    throw new UsageError(`--cell-memory must be a whole number of MiB from ${cellLimitBounds.minMemoryMiB} to ${cellLimitBounds.maxMemoryMiB}, got ${memory}`);
  }
  return { timeoutSeconds: timeout ?? null, memoryMiB: memory };
}

/** The time limit of one unit of work in seconds: `--cell-timeout`, or the default scaled to its planned work. */
export function cellTimeLimitSeconds(limits: CellLimits, work: PlannedWork, config: BenchConfig, registries: Registries): number {
  if (limits.timeoutSeconds !== null) return limits.timeoutSeconds;
  return Math.ceil(cellLimitDefaults.baseSeconds + cellLimitDefaults.secondsPerElementEstimate * expectedCost(work, config, registries));
}

/** Seconds loading the plug-ins may take: `--cell-timeout` when given, else `pluginLoadSeconds`. */
export function pluginLoadLimitSeconds(limits: CellLimits): number {
  return limits.timeoutSeconds ?? cellLimitDefaults.pluginLoadSeconds;
}
