/**
 * `estibench merge DIR1 DIR2 ... --out DIR`: merges the runs of shards into one results.json and its
 * reports. The same as `estibench report --merge DIR1 DIR2 ... --out DIR`, which keeps working.
 */
import { UsageError } from '../core/errors.js';
import { reportMain } from './report.js';

/** `report` flags that take a value: the word after them is that value, not a directory to merge. */
const flagsWithValues = new Set(['--out', '--baseline', '--noise-k', '--timing-tolerance']);

/** Splits `merge`'s arguments into the directories to merge and the flags passed on to `report`. */
export function mergeArguments(args: readonly string[]): { directories: string[]; flags: string[] } {
  const directories: string[] = [];
  const flags: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (!arg.startsWith('-')) directories.push(arg);
    else if (flagsWithValues.has(arg) && index + 1 < args.length) flags.push(arg, args[++index]);
    else flags.push(arg);
  }
  return { directories, flags };
}

/** Runs `estibench merge`. */
export async function mergeMain(args: string[]): Promise<number> {
  const { directories, flags } = mergeArguments(args);
  if (flags.includes('--help') || flags.includes('-h')) return reportMain(['--help']);
  if (flags.some((flag) => flag === '--in' || flag.startsWith('--in=') || flag === '--merge' || flag.startsWith('--merge='))) {
    throw new UsageError('merge takes the directories to merge as arguments, not --in or --merge: estibench merge DIR1 DIR2 ... --out DIR');
  }
  if (directories.length === 0) throw new UsageError('merge needs the output directories of the shards: estibench merge DIR1 DIR2 ... --out DIR');
  return reportMain(['--merge', ...directories, ...flags]);
}
