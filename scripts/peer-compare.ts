#!/usr/bin/env node
/**
 * Times the CPU backend against its speed peers in one run: PyTorch eager (scripts/peers/torch_toy.py),
 * JAX jit (scripts/peers/jax_toy.py), each where installed (by default in .venv-peers/, which `npm run
 * setup:peers` makes; each peer's version, threads and BLAS head the table), and the project's floor, a tight
 * single-threaded JavaScript loop for ste-sigmoid (scripts/floor-ste-sigmoid.ts). For every size
 * D x S, each runs in its own process, one after the other, on bernoulli-toy with batches of S
 * estimates (median of --batches batches, 20 by default). Prints one Markdown table: ns per estimate and the ratios ours/peer
 * (below 1: ours is faster). Usage: npm run peer -- --help
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { createCpuBackend, defaultThreadsFromElements } from '../backends/cpu.js';
import { builtInEstimators } from '../estimators/index.js';
import { resolveConfig } from '../harness/config.js';
import { runBenchmark } from '../harness/runner.js';
import { formatNumber } from '../reports/format.js';
import { builtInSuites } from '../suites/index.js';
import { failUsage, lastValue, withUsageContract } from './cli.js';
import { defaultPeerPython, describePeerConfig, parsePeerOutput, peerPythonProblem, peerScript } from './peer-config.js';

const program = 'estibench peer';

interface PeerRun {
  /** What ran, for the header: version and threads. */
  readonly label: string;
  readonly nsPerEstimate: Readonly<Record<string, number>>;
}

const parser = yargs(hideBin(process.argv))
  .scriptName('estibench-peer')
  .options({
    dims: { type: 'string', default: '16,256,4096', description: 'units D, comma-separated' },
    samples: { type: 'string', default: '8192,65536', description: 'estimates per batch S, comma-separated' },
    estimator: { type: 'string', description: 'estimators, comma-separated (default: the five the peers implement)' },
    threads: { type: 'string', description: `CPU backend thread counts, comma-separated (default: ${availableParallelism()}, all cores); the first count is compared with the peers; the backend shares a call among its threads only from ${defaultThreadsFromElements} element evaluations (D x S) up` },
    'torch-peer': { type: 'string', default: peerScript('torch_toy.py'), description: 'PyTorch peer script (default: the repository\'s, scripts/peers/torch_toy.py)' },
    'torch-python': { type: 'string', default: defaultPeerPython, description: 'Python with torch (default: .venv-peers/bin/python, made by `npm run setup:peers`)' },
    'jax-peer': { type: 'string', default: peerScript('jax_toy.py'), description: 'JAX peer script (default: the repository\'s, scripts/peers/jax_toy.py)' },
    'jax-python': { type: 'string', default: defaultPeerPython, description: 'Python with jax (default: .venv-peers/bin/python, made by `npm run setup:peers`)' },
    floor: { type: 'boolean', default: true, description: 'time the tight-loop floor too (--no-floor skips it)' },
    batches: { type: 'number', default: 20, description: 'timed batches per estimator, for every contender (the median is reported); fewer make D 4096 x S 65536 bearable' },
  });
const argv = await withUsageContract(parser, program).parse();

/** Parses a comma-separated list of whole numbers >= 1, or fails with one line (exit 2). */
function wholeNumbers(flag: string, text: string | string[]): number[] {
  const values = String(lastValue(text)).split(',').map((item) => item.trim());
  const numbers = values.map(Number);
  if (values.some((item) => !/^\d+$/.test(item)) || numbers.some((value) => value < 1)) {
    failUsage(program, `--${flag} must be whole numbers >= 1, comma-separated (got '${lastValue(text)}')`);
  }
  return [...new Set(numbers)];
}

const dims = wholeNumbers('dims', argv.dims);
const batches = Number(lastValue(argv.batches));
if (!Number.isInteger(batches) || batches < 1) failUsage(program, `--batches must be a whole number >= 1 (got ${lastValue(argv.batches)})`);
const sampleCounts = wholeNumbers('samples', argv.samples);
const threadCounts = argv.threads === undefined ? [availableParallelism()] : wholeNumbers('threads', argv.threads);
/** The estimators both peers implement (their headers define them); others can be named, and get our times only. */
const peerEstimators = ['ste-identity', 'ste-sigmoid', 'bengio-unbiased', 'additive-noise', 'gumbel-softmax'];
const estimators = argv.estimator === undefined ? peerEstimators : String(lastValue(argv.estimator)).split(',').map((id) => id.trim());
for (const id of estimators) {
  if (!builtInEstimators.has(id)) failUsage(program, `unknown estimator '${id}' in --estimator; valid: ${[...builtInEstimators.keys()].join(', ')}`);
}
const dimSpec = builtInSuites.get('bernoulli-toy')!.params.dim;
const maximumDim = 'maximum' in dimSpec ? Number(dimSpec.maximum) : Number.POSITIVE_INFINITY;
if (dims.some((dim) => dim > maximumDim)) failUsage(program, `--dims must be at most ${maximumDim} (bernoulli-toy's largest dim)`);
const explicitly = (flag: string) => process.argv.some((arg) => arg === `--${flag}` || arg.startsWith(`--${flag}=`));
for (const flag of ['torch-peer', 'jax-peer'] as const) {
  if (explicitly(flag) && !existsSync(String(argv[flag]))) failUsage(program, `no peer script at ${argv[flag]} (--${flag})`);
}

/**
 * Runs a peer process that prints its configuration line and then `{ ..., nsPerEstimate }` as JSON
 * (scripts/peers/peer_config.py); the reason, for the note under the table, when it fails.
 */
function runPeer(command: string, args: string[], mode: string, label: (output: Record<string, unknown>) => string): PeerRun | string {
  const run = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) return `${[command, ...args].join(' ')} failed: ${(run.stderr || String(run.error)).trim().split('\n').pop()}`;
  try {
    const output = parsePeerOutput<Record<string, unknown> & { nsPerEstimate: Record<string, number> }>(run.stdout);
    return { label: `${mode}: ${output.config ? describePeerConfig(output.config) : label(output.result)}`, nsPerEstimate: output.result.nsPerEstimate };
  } catch (error) {
    return `${[command, ...args].join(' ')} printed no measurement: ${error instanceof Error ? error.message : String(error)}`;
  }
}

const notes: string[] = [];
const torchMissing = existsSync(argv['torch-peer']) ? peerPythonProblem(argv['torch-python'], 'torch', '--torch-python') : `no peer script at ${argv['torch-peer']}`;
const jaxMissing = existsSync(argv['jax-peer']) ? peerPythonProblem(argv['jax-python'], 'jax', '--jax-python') : `no peer script at ${argv['jax-peer']}`;
if (torchMissing) notes.push(`PyTorch peer skipped: ${torchMissing}`);
if (jaxMissing) notes.push(`JAX peer skipped: ${jaxMissing}`);
const floorScript = fileURLToPath(new URL('./floor-ste-sigmoid.js', import.meta.url));
/** The peers run on every core (PyTorch's threads; XLA's CPU client takes every core it may use). */
const peerThreads = availableParallelism();

/** The CPU backend's ns per estimate for each estimator, timed by the harness as `npm run bench` does. */
async function runOurs(dim: number, samples: number, threads: number): Promise<PeerRun> {
  const registries = {
    suites: builtInSuites,
    estimators: builtInEstimators,
    backends: new Map([['cpu', () => createCpuBackend({ threads })]]),
  };
  const config = resolveConfig(
    { backend: 'cpu', suite: 'bernoulli-toy', estimator: estimators, samples, batchSize: samples, steps: 0, set: [`dim=${dim}`], timingIterations: batches, out: 'bench-out' },
    registries,
  );
  const results = await runBenchmark(config, registries);
  const nsPerEstimate: Record<string, number> = {};
  for (const cell of results.cells) {
    if (cell.state === 'completed' && cell.metrics.nsPerEstimate !== undefined) nsPerEstimate[cell.estimator] = cell.metrics.nsPerEstimate;
    else notes.push(`estibench ${cell.estimator} at D ${dim}, S ${samples}, ${threads} thread(s): ${cell.state}${'error' in cell ? ` (${cell.error})` : ''}`);
  }
  const details = results.env.backends[0].details;
  // The backend uses its threads only on calls large enough to pay (details.threadsFrom); smaller ones run on one.
  return { label: `estibench cpu, ${details?.threads ?? threads} thread(s)${details?.threadsFrom ? ` on calls of at least ${details.threadsFrom}` : ''}`, nsPerEstimate };
}

const loadAtStart = loadavg()[0];
const ratio = (ours: number | undefined, theirs: number | undefined) => (ours && theirs ? (ours / theirs).toFixed(2) : '-');
const rows: string[][] = [];
const labels = new Set<string>();
for (const dim of dims) {
  for (const samples of sampleCounts) {
    process.stderr.write(`D ${dim}, S ${samples}: `);
    const peer = (name: string, run: PeerRun | string | null): PeerRun | null => {
      process.stderr.write(`${name} `);
      if (typeof run === 'string') notes.push(run);
      if (!run || typeof run === 'string') return null;
      labels.add(run.label);
      return run;
    };
    const torch = peer('torch', torchMissing ? null : runPeer(argv['torch-python'], [argv['torch-peer'], String(dim), String(samples), String(batches), String(peerThreads)], 'PyTorch eager',
      (output) => `PyTorch ${output.torch}, ${output.threads} thread(s)`));
    const jax = peer('jax', jaxMissing ? null : runPeer(argv['jax-python'], [argv['jax-peer'], String(dim), String(samples), String(batches)], 'JAX jit',
      (output) => `JAX ${output.jax} (${output.prng}), XLA's CPU client on all cores`));
    const floor = peer('floor', !argv.floor || !estimators.includes('ste-sigmoid') ? null : runPeer(process.execPath, [floorScript, String(dim), String(samples), String(batches)], 'floor',
      () => 'tight single-threaded JavaScript loop (ste-sigmoid)'));
    const ours: PeerRun[] = [];
    for (const threads of threadCounts) ours.push(peer(`estibench(${threads})`, await runOurs(dim, samples, threads))!);
    process.stderr.write('\n');
    for (const id of estimators) {
      const times = ours.map((run) => run.nsPerEstimate[id]);
      const byThreads = (threads: number) => times[threadCounts.indexOf(threads)];
      const scaling = threadCounts.length > 1 ? [ratio(byThreads(Math.min(...threadCounts)), byThreads(Math.max(...threadCounts)))] : [];
      rows.push([
        String(dim), String(samples), id, ...times.map((time) => formatNumber(time)),
        formatNumber(torch?.nsPerEstimate[id]), formatNumber(jax?.nsPerEstimate[id]), formatNumber(floor?.nsPerEstimate[id]),
        ratio(times[0], torch?.nsPerEstimate[id]), ratio(times[0], jax?.nsPerEstimate[id]),
        // The floor is single-threaded: it is compared with ours on the fewest threads.
        ratio(byThreads(Math.min(...threadCounts)), floor?.nsPerEstimate[id]), ...scaling,
      ]);
    }
  }
}

const header = [
  'D', 'S', 'estimator', ...threadCounts.map((threads) => `ours, ${threads} thr`), 'torch', 'jax', 'floor',
  'ours/torch', 'ours/jax', `ours (${Math.min(...threadCounts)} thr)/floor`, ...(threadCounts.length > 1 ? [`speed-up, ${Math.max(...threadCounts)} vs ${Math.min(...threadCounts)} thr`] : []),
];
const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
process.stdout.write(
  `bernoulli-toy; ns per estimate, median of ${batches} batches of S estimates; ratios to the peers use ours with ${threadCounts[0]} thread(s) (below 1: ours is faster)\n` +
    `${[...labels].map((label) => `- ${label}`).join('\n')}\n` +
    `- load average (1 min): ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end\n\n` +
    `${[line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')}\n` +
    `${notes.length ? `\n${notes.map((note) => `note: ${note}`).join('\n')}\n` : ''}`,
);
process.exit(0);
