/** An Xvfb that estibench starts ends with it, however the process ends (a test runner's SIGKILL included). */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isRunning, waitFor } from '../support/run-cli.js';

describe('virtual display', () => {
  it('stops when the process that started it is killed with SIGKILL', async () => {
    const script = `import('./dist/backends/xvfb.js').then(async ({ startVirtualDisplay }) => {
      const display = await startVirtualDisplay();
      process.stdout.write(display.pid + '\\n');
      setInterval(() => {}, 1000);
    });`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    await waitFor(() => output.includes('\n') || child.exitCode !== null, 'the display to start', 20_000);
    const pid = Number(output.trim());
    expect(Number.isInteger(pid) && pid > 0, `no pid printed: ${output}`).toBe(true);
    expect(isRunning(pid)).toBe(true);
    child.kill('SIGKILL');
    await waitFor(() => !isRunning(pid), `Xvfb ${pid} to stop after its parent was killed`, 5000);
  });
});
