import type { ProgressEvent } from '../harness/types.js';

/** Characters of the bar between the brackets. */
const barWidth = 20;

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

/**
 * One progress line, e.g. `[#####---------------] 3/12 cells, ~12s left  bernoulli-toy / ste-identity / cpu`.
 * The time left extrapolates the mean time of the steps done so far; absent before the first one.
 */
export function formatProgressLine(done: number, total: number, unit: string, elapsedSeconds: number, label = ''): string {
  const filled = total > 0 ? Math.min(barWidth, Math.round((done / total) * barWidth)) : 0;
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  const left = done > 0 && done < total ? `, ~${formatSeconds((elapsedSeconds / done) * (total - done))} left` : '';
  return `${bar} ${done}/${total} ${unit}${left}${label ? `  ${label}` : ''}`;
}

/** A self-overwriting bar on a terminal; nothing at all when the stream is a file or a pipe (CI logs). */
function createBar(unit: string, stream: NodeJS.WriteStream): (done: number, total: number, label: string) => void {
  let startedAt = performance.now();
  let currentTotal = -1;
  const interactive = Boolean(stream.isTTY);
  return (done, total, label) => {
    if (!interactive) return;
    // A new total is a new piece of work (the next sweep): its time left starts afresh.
    if (total !== currentTotal) [startedAt, currentTotal] = [performance.now(), total];
    const elapsed = (performance.now() - startedAt) / 1000;
    const columns = stream.columns ?? 100;
    if (done >= total) {
      stream.write(`\r\u001b[2K${total} ${unit} in ${formatSeconds(elapsed)}\n`);
      return;
    }
    // Cut to the terminal width so the line never wraps (a wrapped line cannot be overwritten).
    stream.write(`\r\u001b[2K${formatProgressLine(done, total, unit, elapsed, label).slice(0, Math.max(10, columns - 1))}`);
  };
}

/**
 * Progress of a benchmark run on standard error: a line per backend as it starts, and, on a terminal
 * only, a progress bar over the cells with the time left.
 */
export function createProgressPrinter(stream: NodeJS.WriteStream = process.stderr): (event: ProgressEvent) => void {
  const bar = createBar('cells', stream);
  return (event) => {
    if (event.kind === 'backend') {
      const { report } = event;
      const what = report.state === 'ready' ? `using ${report.mode}${report.details?.renderer ? ` (${report.details.renderer})` : ''}` : `failed: ${report.error}`;
      stream.write(`backend ${report.id}: ${what}\n`);
      for (const fallback of report.fallbacks) stream.write(`  tried first: ${fallback}\n`);
    } else if (event.kind === 'cell-start') {
      bar(event.index, event.total, event.label);
    } else if (event.index + 1 === event.total) {
      bar(event.total, event.total, '');
    }
  };
}

/** A progress bar over steps of other work (the sweeps), counted as `unit`. */
export function createStepProgress(
  unit: string, stream: NodeJS.WriteStream = process.stderr,
): (step: { readonly done: number; readonly total: number; readonly label: string }) => void {
  const bar = createBar(unit, stream);
  return (step) => bar(step.done, step.total, step.label);
}
