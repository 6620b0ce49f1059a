import { describe, expect, it } from 'vitest';
import type { CellResult } from '../harness/types.js';
import { createProgressPrinter, createStepProgress, formatProgressLine } from '../reports/progress.js';

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
    const cell = { state: 'completed' } as CellResult;
    onProgress({ kind: 'cell-start', index: 0, total: 2, label: 'first' });
    onProgress({ kind: 'cell-end', index: 0, total: 2, cell });
    onProgress({ kind: 'cell-start', index: 1, total: 2, label: 'second' });
    onProgress({ kind: 'cell-end', index: 1, total: 2, cell });
    expect(writes[0]).toMatch(/^\r\u001b\[2K\[-+\] 0\/2 cells  first$/);
    expect(writes[1]).toMatch(/\[#{10}-{10}\] 1\/2 cells, ~\d+s left  second/);
    expect(writes.at(-1)).toMatch(/2 cells in \d+s\n$/);
  });

  it('stays quiet when the output is not a terminal, but still names the backends', () => {
    const { writes, stream } = fakeStream(false);
    const onProgress = createProgressPrinter(stream);
    onProgress({ kind: 'backend', report: { id: 'cpu', state: 'ready', mode: 'cpu:fused-js', fallbacks: [] } });
    onProgress({ kind: 'cell-start', index: 0, total: 1, label: 'only' });
    createStepProgress('sweep steps', stream)({ done: 1, total: 3, label: 'logit' });
    expect(writes).toEqual(['backend cpu: using cpu:fused-js\n']);
  });
});
