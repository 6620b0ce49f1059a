/**
 * A lock on an output directory, so that two runs never write one `cells.jsonl` (their lines would
 * interleave and a later `--resume` would refuse the file). The lock is a file, `DIR/.estibench.lock`,
 * created exclusively and holding the owner's pid, host and start time. A lock whose owner is gone
 * (same host, no such process) is stale: it is taken over, and the caller says so.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { errorMessage, UsageError } from '../core/errors.js';
import { ensureDirectory } from './output-dir.js';

/** The lock's file name inside the output directory. */
export const outLockFile = '.estibench.lock';

/** What the lock file holds. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  readonly command: string;
}

/** A held lock. */
export interface OutLock {
  readonly path: string;
  /** The stale lock this one replaced, if any (its owner had gone). */
  readonly tookOverFrom: LockOwner | null;
  /** Removes the lock (if it is still this process's). Also done when the process exits. */
  release(): void;
}

/** Seconds after which a lock file with no readable owner (its writer died while writing it) counts as stale. */
const unreadableStaleSeconds = 10;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    return Number.isInteger(owner.pid) && typeof owner.host === 'string' ? owner : null;
  } catch {
    return null;
  }
}

function describe(owner: LockOwner): string {
  return `pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}${owner.command ? ` (${owner.command})` : ''}`;
}

/**
 * Takes the lock on `dir` (created if missing) for `command`; throws a UsageError naming the holder
 * when another live run holds it.
 */
export async function acquireOutLock(dir: string, command: string): Promise<OutLock> {
  try {
    await ensureDirectory(dir);
  } catch (error) {
    throw new UsageError(`--out '${dir}' cannot be used: ${errorMessage(error)}; choose a writable directory`);
  }
  const path = join(dir, outLockFile);
  const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command };
  let tookOverFrom: LockOwner | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    let descriptor: number;
    try {
      descriptor = openSync(path, 'wx');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new UsageError(`--out '${dir}' cannot be locked (${path}): ${errorMessage(error)}; choose a writable directory`);
      const owner = readOwner(path);
      if (owner && (owner.host !== me.host || isAlive(owner.pid))) {
        const other = owner.host === me.host ? '' : ' (on another host: if that run is gone, remove the lock file)';
        throw new UsageError(`--out '${dir}' is in use by another estibench run: ${describe(owner)}${other}; wait for it, or choose another --out`);
      }
      if (!owner && attempt === 0) {
        // Being written this instant, or left empty by a writer that died: wait a little to tell which.
        const ageSeconds = (Date.now() - statSync(path).mtimeMs) / 1000;
        if (ageSeconds < unreadableStaleSeconds) {
          throw new UsageError(`--out '${dir}' is being locked by another estibench run (${path}); wait for it, or choose another --out`);
        }
      }
      tookOverFrom = owner ?? { pid: 0, host: 'unknown', startedAt: 'unknown', command: '' };
      try {
        unlinkSync(path);
      } catch {
        // Another run took it over first: the next attempt sees its lock.
      }
      continue;
    }
    try {
      writeSync(descriptor, `${JSON.stringify(me)}\n`);
    } catch (error) {
      closeSync(descriptor);
      unlinkSync(path);
      throw Object.assign(error as Error, { path }); // a full disk: reported as a write failure naming the lock file
    }
    closeSync(descriptor);
    const release = () => {
      process.removeListener('exit', release);
      const owner = readOwner(path);
      if (owner && owner.pid === me.pid && owner.host === me.host && owner.startedAt === me.startedAt) {
        try {
          unlinkSync(path);
        } catch {
          // Already gone.
        }
      }
    };
    process.on('exit', release);
    return { path, tookOverFrom, release };
  }
  throw new UsageError(`--out '${dir}' is contended by other estibench runs; wait for them, or choose another --out`);
}

/** The line said when a stale lock was taken over. */
export function staleLockLine(dir: string, owner: LockOwner): string {
  return `--out '${dir}': took over a stale lock of ${describe(owner)}, which is no longer running`;
}
