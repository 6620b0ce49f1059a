#!/usr/bin/env node
/**
 * Measures the CPU backend against the PyTorch peer (../shared/peers/torch_toy.py) in one run, on the
 * benchmark target's settings (bernoulli-toy, dim 256, 8192 estimates per batch), and prints the ratios.
 * Usage: npm run peer -- [--peer PATH] [--python /usr/bin/python3] [--dim 256] [--samples 8192] [--threads N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { createCpuBackend } from '../backends/cpu.js';
import { builtInEstimators } from '../estimators/index.js';
import { resolveConfig } from '../harness/config.js';
import { runBenchmark } from '../harness/runner.js';
import { formatNumber, formatTable } from '../reports/format.js';
import { builtInSuites } from '../suites/index.js';
import { failUsage, withUsageContract } from './cli.js';

const program = 'estibench peer';
const fail = (message: string): never => failUsage(program, message);

const parser = yargs(hideBin(process.argv))
  .scriptName('estibench-peer')
  .options({
    peer: { type: 'string', default: '../shared/peers/torch_toy.py', description: 'path of the PyTorch peer script' },
    python: { type: 'string', default: '/usr/bin/python3', description: 'Python with torch (Debian: apt-get install python3-torch)' },
    dim: { type: 'number', default: 256 },
    samples: { type: 'number', default: 8192 },
    threads: { type: 'number', description: 'CPU backend threads (default: all cores)' },
  });
const argv = await withUsageContract(parser, program).parse();

if (!existsSync(argv.peer)) fail(`no peer script at ${argv.peer} (pass --peer PATH)`);
const peer = spawnSync(argv.python, [argv.peer, String(argv.dim), String(argv.samples)], { encoding: 'utf8' });
if (peer.status !== 0) fail(`the peer failed: ${(peer.stderr || String(peer.error)).trim().split('\n').pop()}`);
const torch = JSON.parse(peer.stdout) as { torch: string; threads: number; nsPerEstimate: Record<string, number> };

const registries = {
  suites: builtInSuites,
  estimators: builtInEstimators,
  backends: new Map([['cpu', () => createCpuBackend({ threads: argv.threads })]]),
};
const config = resolveConfig(
  { suite: 'bernoulli-toy', backend: 'cpu', samples: argv.samples, batchSize: argv.samples, steps: 0, set: [`dim=${argv.dim}`], timingIterations: 20, out: 'bench-out' },
  registries,
);
const results = await runBenchmark(config, registries);
const threads = results.env.backends[0].details?.threads ?? '?';
const rows = results.cells.map((cell) => {
  const ours = cell.state === 'completed' ? cell.metrics.nsPerEstimate : undefined;
  const theirs = torch.nsPerEstimate[cell.estimator];
  return [cell.estimator, formatNumber(ours), formatNumber(theirs), ours && theirs ? `${(theirs / ours).toFixed(2)}x` : '-'];
});
process.stdout.write(
  `bernoulli-toy, dim ${argv.dim}, ${argv.samples} estimates per batch; ns per estimate (median of 20 batches)\n` +
    `estibench cpu: ${threads} thread(s); PyTorch ${torch.torch}: ${torch.threads} thread(s)\n\n` +
    `${formatTable(['estimator', 'estibench cpu', 'pytorch eager', 'speed-up'], rows)}\n`,
);
