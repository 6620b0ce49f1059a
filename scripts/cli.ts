/** What every estibench command line shares: flag handling, the bad-input contract and exit codes. */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Argv } from 'yargs';
import { UsageError } from '../core/errors.js';

/** A repeated scalar flag (`--samples 5 --samples 9`) keeps its last value, as most CLIs do. */
export function lastValue<T>(value: T | T[]): T {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** Prints one line and exits with code 2: the contract for bad input. */
export function failUsage(program: string, message: string): never {
  process.stderr.write(`${program}: ${message}\n`);
  process.exit(2);
}

/**
 * Refuses flags given an empty value (`--estimator ''`, `--out=`): an empty value is a mistake (an
 * unset shell variable, a stray quote), not a request for the default or for everything.
 */
export function rejectEmptyValues(program: string, args: readonly string[]): void {
  for (const [index, arg] of args.entries()) {
    if (!arg.startsWith('--')) continue;
    const equals = arg.indexOf('=');
    const flag = equals >= 0 ? arg.slice(0, equals) : arg;
    const value = equals >= 0 ? arg.slice(equals + 1) : args[index + 1];
    if (value !== undefined && value.trim() === '' && (equals >= 0 || index + 1 < args.length)) {
      failUsage(program, `${flag} is empty; give it a value, or leave the flag out for its default`);
    }
  }
}

/** Strict flags, --help/-h, no --version, and parse errors reported as one-line usage errors. */
export function withUsageContract<T>(parser: Argv<T>, program: string): Argv<T> {
  return parser
    .strict()
    .version(false)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .fail((message, error) => failUsage(program, message ?? String(error?.message ?? error)));
}

/**
 * Runs a command's main function and exits with its code (0 when it returns nothing): 2 with one
 * line for a UsageError, 1 with the stack for anything unexpected. Exiting explicitly also ends
 * handles the GPU runtime may keep open.
 */
export function runCommand(program: string, main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      if (error instanceof UsageError) failUsage(program, error.message);
      process.stderr.write(`${program}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

/**
 * Whether the module at `moduleUrl` is the script node was started with (`node dist/scripts/bench.js`),
 * as opposed to a module the `estibench` dispatcher imported.
 */
export function isEntryPoint(moduleUrl: string): boolean {
  const started = process.argv[1];
  if (!started) return false;
  try {
    return realpathSync(started) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}
