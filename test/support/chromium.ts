/**
 * Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: messages on
 * file descriptors 3 and 4, each ending in a NUL byte): enough to open a page, evaluate script, move the
 * mouse and take a screenshot, with no npm dependency and no browser download.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** Where Debian's `chromium` package puts the browser (scripts/install-system-deps.sh installs it). */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether a Chromium to test with exists here. */
export function chromiumAvailable(): boolean {
  return existsSync(chromiumPath);
}

/** Flags for a quiet, sandbox-free, network-free headless browser with a fresh profile. */
function chromiumFlags(profile: string): string[] {
  return [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-extensions', '--disable-dev-shm-usage', '--hide-scrollbars',
    '--mute-audio', `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank',
  ];
}

/** A page in the browser: send protocol commands, wait for events. */
export interface BrowserPage {
  send<T = Record<string, unknown>>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** Evaluates an expression in the page (promises awaited) and returns its value as JSON. */
  evaluate<T>(expression: string): Promise<T>;
  /** Events received so far, by method. */
  readonly events: Array<{ method: string; params: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** Starts Chromium and opens one blank page. */
export async function openBrowserPage(width = 1280, height = 900): Promise<BrowserPage> {
  const profile = mkdtempSync(join(tmpdir(), 'estibench-chromium-'));
  const browser: ChildProcess = spawn(chromiumPath, chromiumFlags(profile), { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  browser.stderr!.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
  const input = browser.stdio[3] as Writable;
  const output = browser.stdio[4] as Readable;
  const pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void; method: string }>();
  const events: BrowserPage['events'] = [];
  let nextId = 1;
  let buffer = Buffer.alloc(0);
  output.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (let end = buffer.indexOf(0); end >= 0; end = buffer.indexOf(0)) {
      const message = JSON.parse(buffer.subarray(0, end).toString('utf8'));
      buffer = buffer.subarray(end + 1);
      const waiter = message.id !== undefined ? pending.get(message.id) : undefined;
      if (waiter) {
        pending.delete(message.id);
        if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
        else waiter.resolve(message.result);
      } else if (message.method) {
        events.push({ method: message.method, params: message.params ?? {} });
      }
    }
  });
  const exited = new Promise<void>((resolve) => browser.once('exit', () => {
    for (const waiter of pending.values()) waiter.reject(new Error(`chromium exited: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    resolve();
  }));
  const raw = (method: string, params: Record<string, unknown> = {}, sessionId?: string) => new Promise<any>((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject, method });
    input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
  });
  const { targetId } = await raw('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await raw('Target.attachToTarget', { targetId, flatten: true });
  const send = (method: string, params: Record<string, unknown> = {}) => raw(method, params, sessionId);
  await send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
  return {
    send,
    events,
    async evaluate<T>(expression: string): Promise<T> {
      const reply = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
      if (reply.exceptionDetails) throw new Error(`page script failed: ${reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text}`);
      return reply.result.value as T;
    },
    async close() {
      await raw('Browser.close').catch(() => undefined);
      const timer = setTimeout(() => browser.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
