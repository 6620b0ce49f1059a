/**
 * Ends a child process when this process ends in any way, SIGKILL included: a small shell blocked
 * reading a pipe whose only writer is this process gets end-of-file when the process is gone, and
 * then kills the child. (An 'exit' handler misses SIGKILL, and a worker busy in a `while (true)`
 * never sees its IPC channel close.) The same device stops the Xvfb of the GPU backend.
 */
import { spawn } from 'node:child_process';

/** A guard on one child; `release` once the child has exited, so that a reused pid is never hit. */
export interface OrphanGuard {
  release(): void;
}

export function guardAgainstOrphan(pid: number): OrphanGuard {
  const guard = spawn('sh', ['-c', 'read _; kill -9 "$0" 2>/dev/null', String(pid)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  guard.on('error', () => {}); // without sh, the supervisor's 'exit' handler still ends the child
  guard.unref();
  (guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    release() {
      guard.kill();
    },
  };
}
