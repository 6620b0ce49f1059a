#!/usr/bin/env node
/**
 * Times the CPU backend's categorical estimators against the PyTorch eager peer
 * (scripts/peers/torch_categorical_toy.py) on categorical-toy, in one run: for every size D x K, at S
 * estimates per batch, and every thread count, ours (the harness's timing, as `npm run bench` does)
 * and PyTorch limited to the same threads, each in its own process, one after the other. Prints one
 * Markdown table: ns per estimate and the ratio ours/torch (below 1: ours is faster).
 * Usage: npm run peer:categorical -- --help
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { createCpuBackend } from '../backends/cpu.js';
import { builtInEstimators } from '../estimators/index.js';
import { resolveConfig } from '../harness/config.js';
import { runBenchmark } from '../harness/runner.js';
import { formatNumber } from '../reports/format.js';
import { builtInSuites } from '../suites/index.js';
import { failUsage, lastValue, withUsageContract } from './cli.js';

const program = 'estibench peer:categorical';
/** The estimators the peer implements (its header defines them). */
const peerEstimators = ['gumbel-softmax', 'st-gumbel-softmax', 'reinmax', 'gumbel-rao', 'reinforce-loo'];
const defaultPeer = fileURLToPath(new URL('../../scripts/peers/torch_categorical_toy.py', import.meta.url));

const parser = yargs(hideBin(process.argv))
  .scriptName('estibench-peer-categorical')
  .options({
    sizes: { type: 'string', default: '32x6,256x10', description: 'units x classes D x K, comma-separated' },
    samples: { type: 'string', default: '8192', description: 'estimates per batch S, comma-separated' },
    threads: { type: 'string', default: '2,1', description: 'thread counts, comma-separated: ours and PyTorch each run on each' },
    estimator: { type: 'string', description: `estimators, comma-separated, among those the peer implements (default: all of ${peerEstimators.join(', ')})` },
    batches: { type: 'number', default: 20, description: 'timed batches per estimator, for both contenders (the median is reported)' },
    'torch-peer': { type: 'string', default: defaultPeer, description: 'PyTorch peer script' },
    'torch-python': { type: 'string', default: '/usr/bin/python3', description: 'Python with torch (Debian: bash scripts/install-system-deps.sh --with-torch)' },
  });
const argv = await withUsageContract(parser, program).parse();

/** Parses a comma-separated list of whole numbers >= 1, or fails with one line (exit 2). */
function wholeNumbers(flag: string, text: string | string[]): number[] {
  const values = String(lastValue(text)).split(',').map((item) => item.trim());
  if (values.some((item) => !/^\d+$/.test(item) || Number(item) < 1)) failUsage(program, `--${flag} must be whole numbers >= 1, comma-separated (got '${lastValue(text)}')`);
  return [...new Set(values.map(Number))];
}

const suiteParams = builtInSuites.get('categorical-toy')!.params;
const limit = (name: 'dim' | 'classes', bound: 'minimum' | 'maximum') => Number((suiteParams[name] as unknown as Record<string, unknown>)[bound]);
const sizes = String(lastValue(argv.sizes)).split(',').map((item) => {
  const match = /^\s*(\d+)x(\d+)\s*$/.exec(item);
  const [units, classes] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(units >= limit('dim', 'minimum') && units <= limit('dim', 'maximum') && classes >= limit('classes', 'minimum') && classes <= limit('classes', 'maximum'))) {
    failUsage(program, `--sizes must be DxK pairs, comma-separated, with ${limit('dim', 'minimum')} <= D <= ${limit('dim', 'maximum')} and ` +
      `${limit('classes', 'minimum')} <= K <= ${limit('classes', 'maximum')} (got '${item.trim()}')`);
  }
  return { units, classes };
});
const sampleCounts = wholeNumbers('samples', argv.samples);
if (sampleCounts.some((samples) => samples < 2)) failUsage(program, `--samples must be at least 2 (a variance needs two estimates)`);
const threadCounts = wholeNumbers('threads', argv.threads);
const batches = Number(lastValue(argv.batches));
if (!Number.isInteger(batches) || batches < 1) failUsage(program, `--batches must be a whole number >= 1 (got ${lastValue(argv.batches)})`);
const estimators = argv.estimator === undefined ? peerEstimators : String(lastValue(argv.estimator)).split(',').map((id) => id.trim());
for (const id of estimators) {
  if (!peerEstimators.includes(id)) failUsage(program, `--estimator '${id}' is not one the peer implements; valid: ${peerEstimators.join(', ')}`);
}
const torchPeer = String(lastValue(argv['torch-peer']));
const torchPython = String(lastValue(argv['torch-python']));
if (!existsSync(torchPeer)) failUsage(program, `no peer script at ${torchPeer} (--torch-peer)`);
const probe = spawnSync(torchPython, ['-c', 'import torch'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) failUsage(program, `${torchPython} cannot import torch (--torch-python; Debian: bash scripts/install-system-deps.sh --with-torch)`);

const notes: string[] = [];

/** The peer's ns per estimate, or null (with a note) when it fails. */
function runTorch(units: number, classes: number, samples: number, threads: number): { label: string; nsPerEstimate: Record<string, number> } | null {
  const args = [torchPeer, String(units), String(classes), String(samples), String(batches), String(threads)];
  const run = spawnSync(torchPython, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) {
    notes.push(`${[torchPython, ...args].join(' ')} failed: ${(run.stderr || String(run.error)).trim().split('\n').pop()}`);
    return null;
  }
  const output = JSON.parse(run.stdout) as { torch: string; threads: number; nsPerEstimate: Record<string, number> };
  return { label: `PyTorch ${output.torch} eager, ${output.threads} thread(s)`, nsPerEstimate: output.nsPerEstimate };
}

/** Our ns per estimate for each estimator, timed by the harness as `npm run bench` does. */
async function runOurs(units: number, classes: number, samples: number, threads: number): Promise<Record<string, number>> {
  const registries = { suites: builtInSuites, estimators: builtInEstimators, backends: new Map([['cpu', () => createCpuBackend({ threads })]]) };
  const config = resolveConfig({
    backend: 'cpu', suite: 'categorical-toy', estimator: estimators, samples, batchSize: samples, steps: 0, timingIterations: batches,
    set: [`categorical-toy.dim=${units}`, `categorical-toy.classes=${classes}`], out: 'bench-out',
  }, registries);
  const results = await runBenchmark(config, registries);
  const nsPerEstimate: Record<string, number> = {};
  for (const cell of results.cells) {
    if (cell.state === 'completed' && cell.metrics.nsPerEstimate !== undefined) nsPerEstimate[cell.estimator] = cell.metrics.nsPerEstimate;
    else notes.push(`estibench ${cell.estimator} at ${units}x${classes}, S ${samples}, ${threads} thread(s): ${cell.state}${'error' in cell ? ` (${cell.error})` : ''}`);
  }
  return nsPerEstimate;
}

const ratio = (ours: number | undefined, theirs: number | undefined) => (ours && theirs ? (ours / theirs).toFixed(2) : '-');
const rows: string[][] = [];
const labels = new Set<string>();
for (const { units, classes } of sizes) {
  for (const samples of sampleCounts) {
    for (const threads of threadCounts) {
      process.stderr.write(`${units}x${classes}, S ${samples}, ${threads} thread(s): torch `);
      const torch = runTorch(units, classes, samples, threads);
      if (torch) labels.add(torch.label);
      process.stderr.write('estibench\n');
      const ours = await runOurs(units, classes, samples, threads);
      for (const id of estimators) {
        const theirs = torch?.nsPerEstimate[id];
        rows.push([`${units} x ${classes}`, String(samples), String(threads), id, formatNumber(ours[id]), formatNumber(theirs), ratio(ours[id], theirs)]);
      }
    }
  }
}

const header = ['D x K', 'S', 'threads', 'estimator', 'ours', 'torch', 'ours/torch'];
const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
process.stdout.write(
  `categorical-toy; ns per estimate, median of ${batches} batches of S estimates; ours (estibench cpu) and PyTorch on the same threads (ours/torch below 1: ours is faster)\n` +
    `${[...labels].map((label) => `- ${label}`).join('\n')}\n\n` +
    `${[line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')}\n` +
    `${notes.length ? `\n${notes.map((note) => `note: ${note}`).join('\n')}\n` : ''}`,
);
process.exit(0);
