/**
 * The `estibench` command: one bin, subcommands loaded on demand so `--version` and `list` start
 * without the runner. `estibench [options]` is `estibench bench [options]`.
 */
import { hideBin } from 'yargs/helpers';
import { packageVersion } from '../harness/package-info.js';
import { failUsage, runCommand } from './cli.js';

/** Each subcommand's one-line summary and its main function (loaded when it runs). */
const subcommands = {
  bench: { summary: 'score estimators on suites and write results.json and the reports (the default)', load: async () => (await import('./bench.js')).benchMain },
  report: { summary: 'render the reports of a results.json again, optionally against a --baseline', load: async () => (await import('./report.js')).reportMain },
  merge: { summary: 'merge the runs of shards: estibench merge DIR1 DIR2 ... --out DIR', load: async () => (await import('./merge.js')).mergeMain },
  list: { summary: 'list estimators and suites: node kinds, parameters, defaults, ranges, citations (--json)', load: async () => (await import('./list.js')).listMain },
  check: { summary: 'run an estimator plug-in through the conformance kit: estibench check FILE', load: async () => (await import('./check.js')).checkMain },
} as const satisfies Record<string, { summary: string; load: () => Promise<(args: string[]) => Promise<number>> }>;

type Subcommand = keyof typeof subcommands;
const isSubcommand = (name: string): name is Subcommand => Object.hasOwn(subcommands, name);

function overview(): string {
  const width = Math.max(...Object.keys(subcommands).map((name) => name.length));
  return [
    `estibench ${packageVersion()}: scores gradient estimators (bias, variance, speed, final training loss) against exact gradients.`,
    '',
    'Usage: estibench [bench] [options] | estibench <command> [options]',
    '',
    'Commands:',
    ...Object.entries(subcommands).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`),
    '',
    'estibench <command> --help shows its options; estibench --version prints the version.',
    '',
  ].join('\n');
}

/** Dispatches `estibench [command] [options]`; exported for tests that run it in-process. */
export async function estibenchMain(args: readonly string[]): Promise<number> {
  const [first, ...rest] = args;
  if (first === '--version' || first === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (first === 'help' || (args.length === 1 && (first === '--help' || first === '-h'))) {
    process.stdout.write(overview());
    return 0;
  }
  if (first === undefined || first.startsWith('-')) return (await subcommands.bench.load())([...args]);
  if (!isSubcommand(first)) {
    failUsage('estibench', `unknown command '${first}'; the commands are ${Object.keys(subcommands).join(', ')} (estibench --help)`);
  }
  return (await subcommands[first].load())(rest);
}

runCommand('estibench', () => estibenchMain(hideBin(process.argv)));
