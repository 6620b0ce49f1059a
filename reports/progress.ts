import type { BackendReport, ProgressEvent } from '../core/types.js';

/** Characters of the bar between the brackets. */
const barWidth = 20;

/**
 * A cell that ends within this many seconds is instant (unsupported, failed as it started, or trivial):
 * it says nothing about how long the others take, so the time left ignores it.
 */
export const instantCellSeconds = 0.05;

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

/** `[#####---------------] 3/12 cells, ~12s left  label`: the time left only when it is known. */
export function formatProgress(done: number, total: number, unit: string, secondsLeft: number | undefined, label = ''): string {
  const filled = total > 0 ? Math.min(barWidth, Math.round((done / total) * barWidth)) : 0;
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  const left = secondsLeft !== undefined && Number.isFinite(secondsLeft) && done < total ? `, ~${formatSeconds(secondsLeft)} left` : '';
  return `${bar} ${done}/${total} ${unit}${left}${label ? `  ${label}` : ''}`;
}

/**
 * One progress line, e.g. `[#####---------------] 3/12 cells, ~12s left  bernoulli-toy / ste-identity / cpu`.
 * The time left extrapolates the mean time of the steps this session did (those after `doneBefore`,
 * which an earlier, resumed session finished); absent before the first one.
 */
export function formatProgressLine(done: number, total: number, unit: string, elapsedSeconds: number, label = '', doneBefore = 0): string {
  const ran = done - doneBefore;
  return formatProgress(done, total, unit, ran > 0 ? (elapsedSeconds / ran) * (total - done) : undefined, label);
}

/**
 * The time left of a run from the expected cost of its cells (the planner's cost model): seconds per
 * unit of cost, measured on the cells that took time, times the cost not yet done. Instant cells count
 * neither their time nor their cost. Without costs (a caller that sends none) it falls back to the
 * mean time per cell.
 */
export function createTimeLeft() {
  let costLeft: number | undefined;
  let measuredSeconds = 0;
  let measuredCost = 0;
  let timedCells = 0;
  let cellsLeft = 0;
  return {
    planned(cells: number, costToRun: number | undefined) {
      costLeft = costToRun;
      cellsLeft = cells;
    },
    ended(seconds: number, cost: number | undefined) {
      cellsLeft -= 1;
      if (costLeft !== undefined && cost !== undefined) costLeft = Math.max(0, costLeft - cost);
      if (seconds < instantCellSeconds) return;
      measuredSeconds += seconds;
      measuredCost += cost ?? 0;
      timedCells += 1;
    },
    /** Seconds left, or undefined before a cell that took time has ended. */
    seconds(): number | undefined {
      if (timedCells === 0) return undefined;
      if (costLeft !== undefined && measuredCost > 0) return (measuredSeconds / measuredCost) * costLeft;
      return (measuredSeconds / timedCells) * Math.max(0, cellsLeft);
    },
  };
}

/** `using gpu:headlessgl-software (ANGLE on llvmpipe ...)`, or why it failed. */
function backendLine(report: BackendReport): string {
  const what = report.state === 'ready' ? `using ${report.mode}${report.details?.renderer ? ` (${report.details.renderer})` : ''}` : `failed: ${report.error}`;
  const software = report.details?.software?.startsWith('yes') ? ` [software: ${report.details.software.replace(/^yes:?\s*/, '')}]` : '';
  return `backend ${report.id}: ${what}${software}`;
}

/** Seconds between progress lines when standard error is not a terminal (a CI log): enough to see a run is alive, not a flood. */
export const logProgressIntervalSeconds = 30;

/**
 * Progress of a benchmark run on standard error: the plan, a line per backend as it starts, a line per
 * cell that fails, and a progress bar naming the cell in flight with the time left, overwritten in place
 * on a terminal. When the output is a file or a pipe (a CI log): a plain line naming the cell in flight
 * as the first cell starts and then at most every `intervalSeconds` (also while one long cell runs),
 * and a last line at the end.
 */
export function createProgressPrinter(
  stream: NodeJS.WriteStream = process.stderr, intervalSeconds = logProgressIntervalSeconds,
): (event: ProgressEvent) => void {
  const interactive = Boolean(stream.isTTY);
  let startedAt = performance.now();
  let cellStartedAt = startedAt;
  let lastLineAt = Number.NEGATIVE_INFINITY;
  let firstIndex = 0;
  let barShown = false;
  let timeLeft = createTimeLeft();
  /** The cell in flight, for the log's periodic line. */
  let inFlight: { index: number; total: number; label: string } | null = null;
  let logTimer: NodeJS.Timeout | null = null;
  const elapsed = () => (performance.now() - startedAt) / 1000;
  const clearBar = () => {
    if (barShown) stream.write('\r\u001b[2K');
    barShown = false;
  };
  const line = (done: number, total: number, label: string) => formatProgress(done, total, 'cells', timeLeft.seconds(), label);
  const logLine = () => {
    if (!inFlight) return;
    lastLineAt = performance.now();
    stream.write(`${line(inFlight.index, inFlight.total, `running ${inFlight.label}`)}\n`);
  };
  /** In a log, names a long cell again every interval while it runs (unref'd: it never keeps the process alive). */
  const armLogTimer = () => {
    if (logTimer) clearTimeout(logTimer);
    logTimer = setTimeout(() => {
      logLine();
      armLogTimer();
    }, Math.max(1, intervalSeconds) * 1000);
    logTimer.unref();
  };
  const stopLogTimer = () => {
    if (logTimer) clearTimeout(logTimer);
    logTimer = null;
  };
  return (event) => {
    if (event.kind === 'plan') {
      startedAt = performance.now();
      lastLineAt = Number.NEGATIVE_INFINITY;
      firstIndex = event.alreadyDone;
      timeLeft = createTimeLeft();
      timeLeft.planned(event.total - event.alreadyDone, event.costToRun);
      const shard = event.shard ? ` (shard ${event.shard.index}/${event.shard.count})` : '';
      const resumed = event.alreadyDone > 0 ? `; ${event.alreadyDone} already done in this directory, ${event.total - event.alreadyDone} to run` : '';
      stream.write(`planned ${event.total} cells${shard}${resumed}\n`);
    } else if (event.kind === 'backend') {
      clearBar();
      stream.write(`${backendLine(event.report)}\n`);
      for (const fallback of event.report.fallbacks) stream.write(`  tried first: ${fallback}\n`);
    } else if (event.kind === 'cell-start') {
      cellStartedAt = performance.now();
      inFlight = { index: event.index, total: event.total, label: event.label };
      if (!interactive) {
        if ((performance.now() - lastLineAt) / 1000 >= intervalSeconds) logLine();
        armLogTimer();
        return;
      }
      // Cut to the terminal width so the line never wraps (a wrapped line cannot be overwritten).
      stream.write(`\r\u001b[2K${line(event.index, event.total, event.label).slice(0, Math.max(10, (stream.columns ?? 100) - 1))}`);
      barShown = true;
    } else {
      const done = event.index + 1;
      inFlight = null;
      timeLeft.ended((performance.now() - cellStartedAt) / 1000, event.cost);
      if (event.state === 'errored') {
        clearBar();
        stream.write(`errored: ${event.label}: ${event.error ?? ''}\n`);
      }
      if (done === event.total) {
        stopLogTimer();
        clearBar();
        stream.write(`${event.total - firstIndex} cells in ${formatSeconds(elapsed())}\n`);
      }
    }
  };
}
