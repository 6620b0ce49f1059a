/** Bad input from the user: reported as one line with exit code 2, never with a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The message of anything thrown, without a stack. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A file that could not be written (a full disk, a directory in the way, no permission): reported as
 * one line naming the file and what to do, with exit code `writeFailureExitCode`, never a stack trace.
 */
export class WriteFailure extends Error {
  override readonly name = 'WriteFailure';
}

/** The exit status of a write failure during or after a run (bad input before the run is 2). */
export const writeFailureExitCode = 3;

/** What to do about each file-system error a write can meet. */
const writeErrorAdvice: Readonly<Record<string, string>> = Object.freeze({
  ENOSPC: 'no space left on the device: free some space or choose another --out',
  EDQUOT: 'disk quota exceeded: free some space or choose another --out',
  EISDIR: 'a directory is in the way: remove or rename it',
  ENOTDIR: 'a file is in the way where a directory should be: remove or rename it',
  ENAMETOOLONG: 'the file name is too long: choose a shorter --out (or shorter ids)',
  EACCES: 'permission denied: fix the permissions or choose another --out',
  EPERM: 'operation not permitted: fix the permissions or choose another --out',
  EROFS: 'the file system is read-only: choose another --out',
  EIO: 'an input/output error of the device: check the disk or choose another --out',
  EFBIG: 'the file is too large for the file system: choose another --out',
  EMFILE: 'too many open files: raise the limit (ulimit -n)',
});

/**
 * `cannot write PATH: what to do` when `error` is a file-system error of writing (with `path` when the
 * error does not carry one), else null.
 */
export function writeFailureLine(error: unknown, path?: string): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(code in writeErrorAdvice)) return null;
  const file = (error as { path?: unknown }).path ?? path;
  return `cannot write ${typeof file === 'string' ? file : 'a file'}: ${code}, ${writeErrorAdvice[code]}`;
}
