import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** A virtual X display started for headless-gl. */
export interface VirtualDisplay {
  readonly display: string;
  /** Process id of the Xvfb server. */
  readonly pid: number;
  /** Stops the server; only safe once no GL context of this process uses it. */
  stop(): void;
}

/** Seconds a stopped Xvfb gets to shut down after SIGTERM before it is killed outright. */
const gracePeriodSeconds = 2;

/**
 * A watchdog that stops Xvfb `pid` when this process ends in any way, SIGKILL included: a shell
 * blocked reading a pipe whose only writer is this process gets end-of-file when the process is gone.
 * (The 'exit' event alone misses signals and test runners that kill their workers.) It sends SIGTERM,
 * then SIGKILL if Xvfb is still there after the grace period (a busy server has been seen to outlive
 * SIGTERM), each time only while that pid is still an Xvfb.
 */
function startWatchdog(pid: number): ChildProcess {
  const script = `read _; alive() { [ "$(ps -p "$0" -o comm= 2>/dev/null)" = Xvfb ]; }; alive && kill "$0"; sleep ${gracePeriodSeconds}; alive && kill -9 "$0"`;
  const watchdog = spawn('sh', ['-c', script, String(pid)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  watchdog.on('error', () => {}); // without sh the 'exit' handler still stops Xvfb
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}

/**
 * Starts Xvfb on a free display number (Xvfb picks it and reports it through -displayfd); it is
 * stopped when the process exits, however it exits (see `startWatchdog`). Callers keep it for the life
 * of the process: gpu.js caches a GL probe context, and Xlib ends the whole process when the server of
 * an open connection goes away. Xvfb runs in its own process group, so a Ctrl-C meant for estibench
 * does not kill it under estibench's feet before the run has written its results.
 * Rejects with an actionable message when Xvfb is missing or does not come up within `timeoutMs`.
 */
export function startVirtualDisplay(timeoutMs = 10_000): Promise<VirtualDisplay> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '64x64x24', '-nolisten', 'tcp'], {
        stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (error) {
      reject(new Error(`cannot start Xvfb (${String(error)}); install it with: npm run setup:system`));
      return;
    }
    const watchdog = child.pid !== undefined ? startWatchdog(child.pid) : null;
    /** While this process goes on: SIGTERM now, SIGKILL after the grace period unless it has exited. */
    const stopAll = () => {
      watchdog?.kill();
      const force = setTimeout(() => child.kill('SIGKILL'), gracePeriodSeconds * 1000);
      force.unref();
      child.once('exit', () => clearTimeout(force));
      child.kill();
    };
    /** As this process exits (no timer runs any more): SIGTERM now; the watchdog, outliving it, escalates. */
    const stopAtExit = () => child.kill();
    let stderr = '';
    let announced = '';
    const timer = setTimeout(() => {
      stopAll();
      reject(new Error(`Xvfb did not report a display within ${timeoutMs} ms${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`));
    }, timeoutMs);
    child.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      watchdog?.kill();
      const hint = error.code === 'ENOENT' ? 'Xvfb is not installed; install it with: npm run setup:system' : error.message;
      reject(new Error(`no DISPLAY and cannot start Xvfb: ${hint}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      watchdog?.kill();
      reject(new Error(`Xvfb exited with code ${code}${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`));
    });
    const displayPipe = child.stdio[3] as NodeJS.ReadableStream;
    displayPipe.on('data', (data: Buffer) => {
      announced += data.toString();
      if (!announced.includes('\n')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.unref();
      (displayPipe as unknown as { unref?: () => void }).unref?.();
      child.stderr?.removeAllListeners('data');
      (child.stderr as unknown as { unref?: () => void })?.unref?.();
      const display = `:${announced.trim()}`;
      process.once('exit', stopAtExit);
      resolve({ display, pid: child.pid!, stop: () => { process.removeListener('exit', stopAtExit); stopAll(); } });
    });
  });
}

/** The GL renderer behind a display as glxinfo reports it (Mesa's llvmpipe, a vendor driver), or null. */
export function glxRenderer(display: string): string | null {
  const result = spawnSync('glxinfo', ['-B'], { env: { ...process.env, DISPLAY: display }, encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0 || typeof result.stdout !== 'string') return null;
  return /OpenGL renderer string:\s*(.+)/.exec(result.stdout)?.[1]?.trim() ?? null;
}
