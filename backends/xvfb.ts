import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** A virtual X display started for headless-gl. */
export interface VirtualDisplay {
  readonly display: string;
  /** Stops the server; only safe once no GL context of this process uses it. */
  stop(): void;
}

/**
 * Starts Xvfb on a free display number (Xvfb picks it and reports it through -displayfd); it is
 * stopped when the process exits. Callers keep it for the life of the process: gpu.js caches a GL
 * probe context, and Xlib ends the whole process when the server of an open connection goes away.
 * Rejects with an actionable message when Xvfb is missing or does not come up within `timeoutMs`.
 */
export function startVirtualDisplay(timeoutMs = 10_000): Promise<VirtualDisplay> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '64x64x24', '-nolisten', 'tcp'], {
        stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      reject(new Error(`cannot start Xvfb (${String(error)}); install it with: npm run setup:system`));
      return;
    }
    let stderr = '';
    let announced = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`Xvfb did not report a display within ${timeoutMs} ms${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`));
    }, timeoutMs);
    child.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const hint = error.code === 'ENOENT' ? 'Xvfb is not installed; install it with: npm run setup:system' : error.message;
      reject(new Error(`no DISPLAY and cannot start Xvfb: ${hint}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
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
      const stop = () => child.kill();
      process.once('exit', stop);
      resolve({ display, stop: () => { process.removeListener('exit', stop); stop(); } });
    });
  });
}

/** The GL renderer behind a display as glxinfo reports it (Mesa's llvmpipe, a vendor driver), or null. */
export function glxRenderer(display: string): string | null {
  const result = spawnSync('glxinfo', ['-B'], { env: { ...process.env, DISPLAY: display }, encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0 || typeof result.stdout !== 'string') return null;
  return /OpenGL renderer string:\s*(.+)/.exec(result.stdout)?.[1]?.trim() ?? null;
}
