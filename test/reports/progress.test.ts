import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../core/types.js';
import { createProgressPrinter, createTimeLeft, formatProgressLine, instantCellSeconds } from '../../reports/progress.js';

/** A stand-in for process.stderr that records what is written. */
function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 200, write: (text: string) => writes.push(text) > 0 } as unknown as NodeJS.WriteStream };
}

describe('progress bar', () => {
  it('shows a bar, the count and the time left', () => {
    expect(formatProgressLine(3, 10, 'cells', 6, 'a / b / cpu')).toBe('[######--------------] 3/10 cells, ~14s left  a / b / cpu');
    expect(formatProgressLine(0, 4, 'cells', 0)).toBe('[--------------------] 0/4 cells');
    expect(formatProgressLine(1, 2, 'sweep steps', 90)).toMatch(/~1m30s left$/);
  });

  it('overwrites one line on a terminal and ends it when the last cell is done', () => {
    const { writes, stream } = fakeStream(true);
    const onProgress = createProgressPrinter(stream);
    onProgress({ kind: 'cell-start', index: 0, total: 2, label: 'first' });
    onProgress({ kind: 'cell-end', index: 0, total: 2, label: 'first', state: 'completed' });
    onProgress({ kind: 'cell-start', index: 1, total: 2, label: 'second' });
    onProgress({ kind: 'cell-end', index: 1, total: 2, label: 'second', state: 'completed' });
    expect(writes[0]).toMatch(/^\r\u001b\[2K\[-+\] 0\/2 cells  first$/);
    // The first cell ended at once: it tells nothing about the time left, so none is shown yet.
    expect(writes[1]).toMatch(/\[#{10}-{10}\] 1\/2 cells  second$/);
    expect(writes.at(-1)).toMatch(/2 cells in \d+s\n$/);
  });

  it('in a log (not a terminal) writes the plan, backends, failures and a plain progress line at a low rate', () => {
    const run = (intervalSeconds: number) => {
      const { writes, stream } = fakeStream(false);
      const onProgress = createProgressPrinter(stream, intervalSeconds);
      const events: ProgressEvent[] = [
        { kind: 'plan', total: 3, alreadyDone: 1, shard: { index: 2, count: 3 } },
        { kind: 'backend', report: { id: 'cpu', state: 'ready', mode: 'cpu:fused-js', fallbacks: [] } },
        { kind: 'cell-start', index: 1, total: 3, label: 'second' },
        { kind: 'cell-end', index: 1, total: 3, label: 'second', state: 'errored', error: 'boom' },
        { kind: 'cell-start', index: 2, total: 3, label: 'third' },
        { kind: 'cell-end', index: 2, total: 3, label: 'third', state: 'completed' },
      ];
      for (const event of events) onProgress(event);
      return writes;
    };
    const quiet = run(30);
    expect(quiet[0]).toBe('planned 3 cells (shard 2/3); 1 already done in this directory, 2 to run\n');
    expect(quiet).toContain('backend cpu: using cpu:fused-js\n');
    expect(quiet).toContain('errored: second: boom\n');
    expect(quiet.at(-1)).toMatch(/^2 cells in \d+s\n$/);
    // No escape codes in a log, and no line per cell while less than the interval has passed.
    expect(quiet.join('')).not.toContain('\u001b');
    // The first cell is named as it starts; the next one not, within the interval.
    expect(quiet.filter((text) => text.includes('['))).toEqual(['[#######-------------] 1/3 cells  running second\n']);
    // Past the interval, a plain line (no carriage return) naming each cell as it starts.
    const chatty = run(0);
    expect(chatty.filter((text) => /^\[#+-*\] 2\/3 cells  running third\n$/.test(text))).toHaveLength(1);
  });
});

describe('time left', () => {
  it('extrapolates the seconds per unit of expected cost of the cells that took time, ignoring instant cells', () => {
    const timeLeft = createTimeLeft();
    timeLeft.planned(4, 100);
    expect(timeLeft.seconds()).toBeUndefined();
    // An unsupported cell that ends at once: neither its time nor its cost teaches anything.
    timeLeft.ended(instantCellSeconds / 10, 10);
    expect(timeLeft.seconds()).toBeUndefined();
    // 20 units of cost in 4 s: 0.2 s per unit, 70 units left.
    timeLeft.ended(4, 20);
    expect(timeLeft.seconds()).toBeCloseTo(14, 10);
    timeLeft.ended(2, 20);
    // 6 s for 40 units: 0.15 s per unit, 50 units left.
    expect(timeLeft.seconds()).toBeCloseTo(7.5, 10);
  });

  it('falls back to the mean time per cell when the events carry no cost', () => {
    const timeLeft = createTimeLeft();
    timeLeft.planned(5, undefined);
    timeLeft.ended(0, undefined);
    timeLeft.ended(3, undefined);
    expect(timeLeft.seconds()).toBeCloseTo(9, 10);
  });
});
