/** The output directory of a command, created and checked before any work that would be lost if it cannot be written. */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errorMessage, UsageError } from '../core/errors.js';

/**
 * Creates a directory and its missing parents one level at a time. (Node's recursive mkdir spins
 * forever on some paths, such as `/proc/x`.)
 */
export async function ensureDirectory(path: string): Promise<void> {
  try {
    if ((await stat(path)).isDirectory()) return;
    throw Object.assign(new Error(`${path} exists and is not a directory`), { code: 'ENOTDIR' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const parent = dirname(path);
  if (parent !== path) await ensureDirectory(parent);
  try {
    await mkdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * Creates `dir` and proves it writable by writing and removing a small file; any failure is a
 * UsageError naming `flag`, so a bad path costs one line, not a finished computation.
 */
export async function prepareOutputDirectory(dir: string, flag = '--out'): Promise<void> {
  try {
    await ensureDirectory(dir);
    const probe = join(dir, `.estibench-write-test-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (error) {
    throw new UsageError(`${flag} '${dir}' cannot be used: ${errorMessage(error)}; choose a writable directory`);
  }
}
