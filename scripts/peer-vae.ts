#!/usr/bin/env node
/**
 * Times one training step of mnist-binary-vae (layers 1, DisARM) on the CPU backend against the PyTorch
 * eager peer (../shared/peers/torch_vae.py: the same model, estimator, ∂L/∂a term and Adam step) in one
 * run, alternating the two `--rounds` times, and prints each time and the ratio.
 * Usage: npm run peer:vae -- [--peer PATH] [--python /usr/bin/python3] [--batch 50] [--steps 200] [--rounds 2] [--threads N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { createCpuBackend } from '../backends/cpu.js';
import { builtInEstimators } from '../estimators/index.js';
import { prepareCell } from '../harness/cell.js';
import { withDefaults } from '../harness/parameters.js';
import { Rng } from '../harness/rng.js';
import { trainLogits } from '../harness/training.js';
import { formatTable } from '../reports/format.js';
import { mnistBinaryVae } from '../suites/mnist-binary-vae.js';
import { isStagedProblem } from '../suites/suite.js';
import { failUsage, withUsageContract } from './cli.js';

const program = 'estibench peer:vae';
const fail = (message: string): never => failUsage(program, message);

const parser = yargs(hideBin(process.argv))
  .scriptName('estibench-peer-vae')
  .options({
    peer: { type: 'string', default: '../shared/peers/torch_vae.py', description: 'path of the PyTorch peer script' },
    python: { type: 'string', default: '/usr/bin/python3', description: 'Python with torch (Debian: apt-get install python3-torch)' },
    batch: { type: 'number', default: 50, description: 'images per minibatch' },
    steps: { type: 'number', default: 200, description: 'timed training steps per round (median reported)' },
    rounds: { type: 'number', default: 2, description: 'alternations of PyTorch and estibench' },
    threads: { type: 'number', description: 'CPU backend threads (default: all cores)' },
  });
const argv = await withUsageContract(parser, program).parse();
for (const name of ['batch', 'steps', 'rounds'] as const) {
  if (!Number.isInteger(argv[name]) || argv[name] < 1) fail(`--${name} must be a whole number >= 1, got ${argv[name]}`);
}
if (!existsSync(argv.peer)) fail(`no peer script at ${argv.peer} (pass --peer PATH)`);

/** One round of the PyTorch peer: median ms per step. */
function torchRound(): { ms: number; version: string; threads: number } {
  const peer = spawnSync(argv.python, [argv.peer, String(argv.batch), String(argv.steps)], { encoding: 'utf8' });
  if (peer.status !== 0) fail(`the peer failed: ${(peer.stderr || String(peer.error)).trim().split('\n').pop()}`);
  const result = JSON.parse(peer.stdout) as { torch: string; threads: number; msPerStep: number };
  return { ms: result.msPerStep, version: result.torch, threads: result.threads };
}

const backend = await createCpuBackend({ threads: argv.threads });
const estimator = builtInEstimators.get('disarm')!;
// Few evaluation images: evaluations along training are not part of a step's time.
const problem = mnistBinaryVae.create(withDefaults(mnistBinaryVae.params, { layers: 1, batch: argv.batch, evalExamples: 50 }));
if (!isStagedProblem(problem)) throw new Error('mnist-binary-vae is a staged suite');

/** One round of estibench: median ms per training step (msPerTrainingStep) over `steps` steps. */
async function estibenchRound(round: number): Promise<number> {
  const cell = prepareCell(backend, { estimator, estimatorParams: {}, problem, batchSize: 1 });
  try {
    const result = await trainLogits(cell, estimator, { steps: argv.steps, batchSize: 1, seeds: 1 }, [new Rng(round + 1)]);
    return result.msPerTrainingStep!;
  } finally {
    cell.dispose();
  }
}

const rows: string[][] = [];
let torchInfo = { version: '?', threads: 0 };
try {
  for (let round = 0; round < argv.rounds; round++) {
    const torch = torchRound();
    torchInfo = { version: torch.version, threads: torch.threads };
    const ours = await estibenchRound(round);
    rows.push([String(round + 1), ours.toFixed(2), torch.ms.toFixed(2), `${(ours / torch.ms).toFixed(2)}x`]);
  }
} finally {
  backend.dispose();
}
process.stdout.write(
  `mnist-binary-vae, layers 1, batch ${argv.batch}, disarm: ms per training step (median of ${argv.steps} steps per round)\n` +
    `estibench cpu: ${backend.mode}, ${backend.details.threads ?? '?'} thread(s), tensor ops: ${backend.details.tensorOps ?? 'JavaScript loops'}; ` +
    `PyTorch ${torchInfo.version}: ${torchInfo.threads} thread(s)\n\n` +
    `${formatTable(['round', 'estibench cpu', 'pytorch eager', 'estibench / pytorch'], rows)}\n`,
);
process.exit(0);
