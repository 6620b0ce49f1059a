/** What every estibench command line shares: flag handling, the bad-input contract and exit codes. */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Argv } from 'yargs';
import { UsageError, WriteFailure, writeFailureExitCode, writeFailureLine } from '../core/errors.js';

/** A repeated scalar flag (`--samples 5 --samples 9`) keeps its last value, as most CLIs do. */
export function lastValue<T>(value: T | T[]): T {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/**
 * `args` without the earlier occurrences of each option in `names` (`--name value`, `--name=value`, or
 * its camelCase spelling), so that the last value wins, as `lastValue` promises. Needed because
 * yargs-parser 22 adds a repeated option's later value to the earlier one when that value is the number 1
 * (it mistakes 1 for its counter increment: `--steps 4 --steps 1` parses as 5).
 */
export function lastOccurrenceOnly(args: readonly string[], names: readonly string[]): string[] {
  const spellings = new Map<string, string>();
  for (const name of names) {
    spellings.set(name, name);
    spellings.set(name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase()), name);
  }
  const occurrences = new Map<string, Array<[start: number, length: number]>>();
  for (let index = 0; index < args.length; index++) {
    if (args[index] === '--') break;
    const match = /^--([^=]+)(=.*)?$/s.exec(args[index]);
    const name = match ? spellings.get(match[1]) : undefined;
    if (!match || name === undefined) continue;
    const length = match[2] === undefined ? 2 : 1;
    (occurrences.get(name) ?? occurrences.set(name, []).get(name)!).push([index, length]);
    index += length - 1;
  }
  const dropped = new Set<number>();
  for (const found of occurrences.values()) {
    for (const [start, length] of found.slice(0, -1)) for (let offset = 0; offset < length; offset++) dropped.add(start + offset);
  }
  return args.filter((_, index) => !dropped.has(index));
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
    // yargs writes some errors over two lines (invalid choices): the contract is one line.
    .fail((message, error) => failUsage(program, (message ?? String(error?.message ?? error)).replace(/\s*\n\s*/g, ' ')));
}

/**
 * Refuses a boolean flag given a value other than `true` or `false` (`--resume=yes`, `--report=1`):
 * yargs reads those as false, which would silently recompute every finished cell. The documented
 * forms are `--flag`, `--no-flag`, `--flag=true` and `--flag=false`.
 */
export function rejectLooseBooleans(program: string, args: readonly string[], flags: readonly string[]): void {
  for (const arg of args) {
    if (arg === '--') break;
    const match = /^--(no-)?([^=]+)=(.*)$/s.exec(arg);
    if (!match || !flags.includes(match[2])) continue;
    if (match[1] || (match[3] !== 'true' && match[3] !== 'false')) {
      failUsage(program, `--${match[1] ?? ''}${match[2]} takes no value other than true or false, got '${arg}'; write --${match[2]} or --no-${match[2]}`);
    }
  }
}

/**
 * Runs a command's main function and exits with its code (0 when it returns nothing): 2 with one
 * line for a UsageError, 3 with one line for a file that cannot be written (WriteFailure, or a
 * file-system error of writing), 1 with the stack for anything unexpected. Exiting explicitly also
 * ends handles the GPU runtime may keep open.
 */
export function runCommand(program: string, main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      if (error instanceof UsageError) failUsage(program, error.message);
      const writeLine = error instanceof WriteFailure ? error.message : writeFailureLine(error);
      if (writeLine) {
        process.stderr.write(`${program}: ${writeLine.replace(/\s*\n\s*/g, ' ')}\n`);
        process.exit(writeFailureExitCode);
      }
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
