import type { ProgressEvent } from '../harness/types.js';

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

/**
 * Progress on standard error: a line per backend as it starts, and, on a terminal only, one
 * self-overwriting line per cell with the time left estimated from the cells done so far.
 */
export function createProgressPrinter(stream: NodeJS.WriteStream = process.stderr): (event: ProgressEvent) => void {
  const startedAt = performance.now();
  const interactive = Boolean(stream.isTTY);
  return (event) => {
    if (event.kind === 'backend') {
      const { report } = event;
      const what = report.state === 'ready' ? `using ${report.mode}${report.details?.renderer ? ` (${report.details.renderer})` : ''}` : `failed: ${report.error}`;
      stream.write(`backend ${report.id}: ${what}\n`);
      for (const fallback of report.fallbacks) stream.write(`  tried first: ${fallback}\n`);
      return;
    }
    if (!interactive) return;
    const elapsed = (performance.now() - startedAt) / 1000;
    if (event.kind === 'cell-start') {
      const left = event.index > 0 ? ` ~${formatSeconds((elapsed / event.index) * (event.total - event.index))} left` : '';
      stream.write(`\r\u001b[2K[${event.index + 1}/${event.total}] ${event.label}${left}`);
    } else if (event.index + 1 === event.total) {
      stream.write(`\r\u001b[2K${event.total} cells in ${formatSeconds(elapsed)}\n`);
    }
  };
}
