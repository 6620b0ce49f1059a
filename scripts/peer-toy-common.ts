/**
 * What the PyTorch toy comparisons (`npm run peer:categorical`, `npm run peer:bernoulli`) share: their
 * common flags and input checks, the torch probe, running the peer and ours (through the harness, as
 * `npm run bench` times it) on each size x S x threads, one after the other, and the Markdown table of
 * ns per estimate with the ratio ours/torch, under the peer's configuration (version, threads, BLAS).
 * Each script adds only its suite and how its sizes are given. The peers live in scripts/peers/ and run
 * on the Python of .venv-peers/ (`npm run setup:peers`) unless --torch-python names another.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createCpuBackend } from '../backends/cpu.js';
import { builtInEstimators } from '../estimators/index.js';
import { resolveConfig } from '../harness/config.js';
import { runBenchmark } from '../harness/runner.js';
import { formatNumber } from '../reports/format.js';
import { builtInSuites } from '../suites/index.js';
import { failUsage, lastValue } from './cli.js';
import { defaultPeerPython, describePeerConfig, parsePeerOutput, peerPythonProblem } from './peer-config.js';

/** The flags every toy comparison takes besides its sizes; `samples` is each script's own default list. */
export function torchToyOptions(peerEstimators: readonly string[], defaultPeer: string, defaultSamples: string) {
  return {
    samples: { type: 'string', default: defaultSamples, description: 'estimates per batch S, comma-separated' },
    threads: { type: 'string', default: '2,1', description: 'thread counts, comma-separated: ours and PyTorch each run on each' },
    estimator: { type: 'string', description: `estimators, comma-separated, among those the peer implements (default: all of ${peerEstimators.join(', ')})` },
    batches: { type: 'number', default: 20, description: 'timed batches per estimator, for both contenders (the median is reported)' },
    'torch-peer': { type: 'string', default: defaultPeer, description: 'PyTorch peer script (default: the repository\'s, under scripts/peers/)' },
    'torch-python': { type: 'string', default: defaultPeerPython, description: 'Python with torch (default: .venv-peers/bin/python, made by `npm run setup:peers`)' },
  } as const;
}

/** Parses a comma-separated list of whole numbers >= 1 (duplicates dropped), or fails with one line (exit 2). */
export function wholeNumbers(program: string, flag: string, text: string | string[]): number[] {
  const values = String(lastValue(text)).split(',').map((item) => item.trim());
  if (values.some((item) => !/^\d+$/.test(item) || Number(item) < 1)) failUsage(program, `--${flag} must be whole numbers >= 1, comma-separated (got '${lastValue(text)}')`);
  return [...new Set(values.map(Number))];
}

/** A numeric bound of a built-in suite's parameter (its declared minimum or maximum). */
export function suiteParameterBound(suite: string, name: string, bound: 'minimum' | 'maximum'): number {
  return Number((builtInSuites.get(suite)!.params[name] as unknown as Record<string, unknown>)[bound]);
}

/** The parsed common flags, checked: what `compareWithTorch` runs besides the sizes. */
export interface TorchToySettings {
  readonly sampleCounts: readonly number[];
  readonly threadCounts: readonly number[];
  readonly batches: number;
  readonly estimators: readonly string[];
  readonly torchPeer: string;
  readonly torchPython: string;
}

/** The values yargs hands back for `torchToyOptions`. */
interface TorchToyArguments {
  readonly samples: string | string[];
  readonly threads: string | string[];
  readonly estimator?: string | string[];
  readonly batches: number | number[];
  readonly 'torch-peer': string | string[];
  readonly 'torch-python': string | string[];
}

/**
 * Checks the common flags, failing with one line (exit 2) on the first bad one, before anything runs:
 * S >= 2, estimators among those the peer implements, a peer script that exists and a Python that
 * imports torch.
 */
export function parseTorchToyArguments(program: string, argv: TorchToyArguments, peerEstimators: readonly string[]): TorchToySettings {
  const sampleCounts = wholeNumbers(program, 'samples', argv.samples);
  if (sampleCounts.some((samples) => samples < 2)) failUsage(program, `--samples must be at least 2 (a variance needs two estimates)`);
  const threadCounts = wholeNumbers(program, 'threads', argv.threads);
  const batches = Number(lastValue(argv.batches));
  if (!Number.isInteger(batches) || batches < 1) failUsage(program, `--batches must be a whole number >= 1 (got ${lastValue(argv.batches)})`);
  const estimators = argv.estimator === undefined ? peerEstimators : String(lastValue(argv.estimator)).split(',').map((id) => id.trim());
  for (const id of estimators) {
    if (!peerEstimators.includes(id)) failUsage(program, `--estimator '${id}' is not one the peer implements; valid: ${peerEstimators.join(', ')}`);
  }
  const torchPeer = String(lastValue(argv['torch-peer']));
  const torchPython = String(lastValue(argv['torch-python']));
  if (!existsSync(torchPeer)) failUsage(program, `no peer script at ${torchPeer} (--torch-peer)`);
  const problem = peerPythonProblem(torchPython, 'torch', '--torch-python');
  if (problem) failUsage(program, problem);
  return { sampleCounts, threadCounts, batches, estimators, torchPeer, torchPython };
}

/** One problem size of the suite, as the table, the progress lines, the peer and the harness each name it. */
export interface ToySize {
  /** The table's first column, e.g. `32 x 6`. */
  readonly tableLabel: string;
  /** Progress lines and notes, e.g. `32x6` or `D 256`. */
  readonly name: string;
  /** The peer's leading arguments (before S, reps and threads). */
  readonly peerArguments: readonly string[];
  /** The harness's `--set` overrides that make this size. */
  readonly settings: readonly string[];
}

/** What one toy comparison runs: the suite, its sizes and the checked common flags. */
export interface TorchToyComparison extends TorchToySettings {
  readonly suite: string;
  /** The header of the table's first column, e.g. `D x K`. */
  readonly sizeHeader: string;
  readonly sizes: readonly ToySize[];
}

interface PeerTimes {
  readonly label: string;
  readonly nsPerEstimate: Readonly<Record<string, number>>;
}

/**
 * Runs the peer and ours on every size x S x threads, each in turn, and prints one Markdown table: ns
 * per estimate and ours/torch. A failing peer or cell leaves '-' in its cells and a note under the table.
 */
export async function compareWithTorch(comparison: TorchToyComparison): Promise<void> {
  const { suite, sizeHeader, sizes, sampleCounts, threadCounts, batches, estimators, torchPeer, torchPython } = comparison;
  const notes: string[] = [];

  /** The peer's ns per estimate, or null (with a note) when it fails. */
  function runTorch(size: ToySize, samples: number, threads: number): PeerTimes | null {
    const args = [torchPeer, ...size.peerArguments, String(samples), String(batches), String(threads)];
    const run = spawnSync(torchPython, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (run.status !== 0) {
      notes.push(`${[torchPython, ...args].join(' ')} failed: ${(run.stderr || String(run.error)).trim().split('\n').pop()}`);
      return null;
    }
    const output = parsePeerOutput<{ torch: string; threads: number; nsPerEstimate: Record<string, number> }>(run.stdout);
    const label = output.config ? `${describePeerConfig(output.config)}, eager` : `PyTorch ${output.result.torch} eager, ${output.result.threads} thread(s)`;
    return { label, nsPerEstimate: output.result.nsPerEstimate };
  }

  /** Our ns per estimate for each estimator, timed by the harness as `npm run bench` does. */
  async function runOurs(size: ToySize, samples: number, threads: number): Promise<Record<string, number>> {
    const registries = { suites: builtInSuites, estimators: builtInEstimators, backends: new Map([['cpu', () => createCpuBackend({ threads })]]) };
    const config = resolveConfig({
      backend: 'cpu', suite, estimator: [...estimators], samples, batchSize: samples, steps: 0, timingIterations: batches,
      set: [...size.settings], out: 'bench-out',
    }, registries);
    const results = await runBenchmark(config, registries);
    const nsPerEstimate: Record<string, number> = {};
    for (const cell of results.cells) {
      if (cell.state === 'completed' && cell.metrics.nsPerEstimate !== undefined) nsPerEstimate[cell.estimator] = cell.metrics.nsPerEstimate;
      else notes.push(`estibench ${cell.estimator} at ${size.name}, S ${samples}, ${threads} thread(s): ${cell.state}${'error' in cell ? ` (${cell.error})` : ''}`);
    }
    return nsPerEstimate;
  }

  const ratio = (ours: number | undefined, theirs: number | undefined) => (ours && theirs ? (ours / theirs).toFixed(2) : '-');
  const rows: string[][] = [];
  const labels = new Set<string>();
  for (const size of sizes) {
    for (const samples of sampleCounts) {
      for (const threads of threadCounts) {
        process.stderr.write(`${size.name}, S ${samples}, ${threads} thread(s): torch `);
        const torch = runTorch(size, samples, threads);
        if (torch && !labels.has(torch.label)) {
          labels.add(torch.label);
          process.stderr.write(`(${torch.label}) `);
        }
        process.stderr.write('estibench\n');
        const ours = await runOurs(size, samples, threads);
        for (const id of estimators) {
          const theirs = torch?.nsPerEstimate[id];
          rows.push([size.tableLabel, String(samples), String(threads), id, formatNumber(ours[id]), formatNumber(theirs), ratio(ours[id], theirs)]);
        }
      }
    }
  }

  const header = [sizeHeader, 'S', 'threads', 'estimator', 'ours', 'torch', 'ours/torch'];
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  process.stdout.write(
    `${suite}; ns per estimate, median of ${batches} batches of S estimates; ours (estibench cpu) and PyTorch on the same threads (ours/torch below 1: ours is faster)\n` +
      `${[...labels].map((label) => `- ${label}`).join('\n')}\n\n` +
      `${[line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')}\n` +
      `${notes.length ? `\n${notes.map((note) => `note: ${note}`).join('\n')}\n` : ''}`,
  );
}
