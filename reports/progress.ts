import type { ProgressEvent } from '../core/types.js';

/** Characters of the bar between the brackets. */
const barWidth = 20;

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

/**
 * One progress line, e.g. `[#####---------------] 3/12 cells, ~12s left  bernoulli-toy / ste-identity / cpu`.
 * The time left extrapolates the mean time of the steps this session did (those after `doneBefore`,
 * which an earlier, resumed session finished); absent before the first one.
 */
export function formatProgressLine(done: number, total: number, unit: string, elapsedSeconds: number, label = '', doneBefore = 0): string {
  const filled = total > 0 ? Math.min(barWidth, Math.round((done / total) * barWidth)) : 0;
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  const ran = done - doneBefore;
  const left = ran > 0 && done < total ? `, ~${formatSeconds((elapsedSeconds / ran) * (total - done))} left` : '';
  return `${bar} ${done}/${total} ${unit}${left}${label ? `  ${label}` : ''}`;
}

/** Seconds between progress lines when standard error is not a terminal (a CI log): enough to see a run is alive, not a flood. */
export const logProgressIntervalSeconds = 30;

/**
 * Progress of a benchmark run on standard error: the plan, a line per backend as it starts, a line per
 * cell that fails, and a progress bar with the time left, overwritten in place on a terminal, or, when
 * the output is a file or a pipe (a CI log), a plain line at most every `intervalSeconds` and at the end.
 */
export function createProgressPrinter(
  stream: NodeJS.WriteStream = process.stderr, intervalSeconds = logProgressIntervalSeconds,
): (event: ProgressEvent) => void {
  const interactive = Boolean(stream.isTTY);
  let startedAt = performance.now();
  let lastLineAt = startedAt;
  let firstIndex = 0;
  let barShown = false;
  const elapsed = () => (performance.now() - startedAt) / 1000;
  const clearBar = () => {
    if (barShown) stream.write('\r\u001b[2K');
    barShown = false;
  };
  const line = (done: number, total: number, label: string) => formatProgressLine(done, total, 'cells', elapsed(), label, firstIndex);
  return (event) => {
    if (event.kind === 'plan') {
      startedAt = performance.now();
      lastLineAt = startedAt;
      firstIndex = event.alreadyDone;
      const shard = event.shard ? ` (shard ${event.shard.index}/${event.shard.count})` : '';
      const resumed = event.alreadyDone > 0 ? `; ${event.alreadyDone} already done in this directory, ${event.total - event.alreadyDone} to run` : '';
      stream.write(`planned ${event.total} cells${shard}${resumed}\n`);
    } else if (event.kind === 'backend') {
      clearBar();
      const { report } = event;
      const what = report.state === 'ready' ? `using ${report.mode}${report.details?.renderer ? ` (${report.details.renderer})` : ''}` : `failed: ${report.error}`;
      stream.write(`backend ${report.id}: ${what}\n`);
      for (const fallback of report.fallbacks) stream.write(`  tried first: ${fallback}\n`);
    } else if (event.kind === 'cell-start') {
      if (!interactive) return;
      // Cut to the terminal width so the line never wraps (a wrapped line cannot be overwritten).
      stream.write(`\r\u001b[2K${line(event.index, event.total, event.label).slice(0, Math.max(10, (stream.columns ?? 100) - 1))}`);
      barShown = true;
    } else {
      const done = event.index + 1;
      if (event.state === 'errored') {
        clearBar();
        stream.write(`errored: ${event.label}: ${event.error ?? ''}\n`);
      }
      if (done === event.total) {
        clearBar();
        stream.write(`${event.total - firstIndex} cells in ${formatSeconds(elapsed())}\n`);
      } else if (!interactive && (performance.now() - lastLineAt) / 1000 >= intervalSeconds) {
        lastLineAt = performance.now();
        stream.write(`${line(done, event.total, '')}\n`);
      }
    }
  };
}
