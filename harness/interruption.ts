/**
 * SIGINT and SIGTERM as an AbortSignal: the first one asks the run to stop (it writes what is complete
 * and exits 130 or 143); a second one exits at once with the same code.
 */

/** The signals a run stops on, and the exit status each gives (128 + the signal's number, as shells report it). */
export const interruptionExitCodes = Object.freeze({ SIGINT: 130, SIGTERM: 143 });
export type InterruptionSignal = keyof typeof interruptionExitCodes;

/** A watch on the process's stop signals. */
export interface Interruption {
  readonly signal: AbortSignal;
  /** The first signal received, if any. */
  received(): InterruptionSignal | undefined;
  /** Removes the handlers; the default behaviour (ending the process) returns. */
  dispose(): void;
}

/**
 * Installs handlers for SIGINT and SIGTERM. `onFirst` is told of the first signal (to say on standard
 * error that the run is stopping); a second signal calls `exitNow` with the first one's code.
 */
export function watchInterruption(
  onFirst: (signal: InterruptionSignal) => void = () => {},
  exitNow: (code: number) => void = (code) => process.exit(code),
): Interruption {
  const controller = new AbortController();
  let first: InterruptionSignal | undefined;
  const handlers = (Object.keys(interruptionExitCodes) as InterruptionSignal[]).map((name) => {
    const handler = () => {
      if (first) {
        exitNow(interruptionExitCodes[first]);
        return;
      }
      first = name;
      onFirst(name);
      controller.abort(name);
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    received: () => first,
    dispose() {
      for (const [name, handler] of handlers) process.removeListener(name, handler);
    },
  };
}
