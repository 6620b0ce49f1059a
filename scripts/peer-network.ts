#!/usr/bin/env node
/**
 * Times one training step of mnist-quantized-mlp on the CPU backend against the PyTorch eager peer
 * (../shared/peers/torch_mlp.py: the same network, quantizer, straight-through backward and Adam) in
 * one run, alternating the two for several rounds so that both see the same machine load, and prints
 * each round's ratio. Usage: npm run peer:network -- [--rounds 3] [--steps 200] [--bits 1] [--batch 100]
 * [--estimator ste-clipped-relu] [--threads N] [--peer PATH] [--python /usr/bin/python3]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { createCpuBackend } from '../backends/cpu.js';
import type { CpuTensorOps } from '../backends/cpu-ort-ops.js';
import { builtInEstimators } from '../estimators/index.js';
import { prepareCell, problemUnsupportedReason, type ReadyCell } from '../harness/cell.js';
import { unsupportedNodeReason } from '../harness/node-kinds.js';
import { withDefaults } from '../harness/parameters.js';
import { Rng } from '../harness/rng.js';
import { trainLogits } from '../harness/training.js';
import { formatTable } from '../reports/format.js';
import { mnistQuantizedMlp } from '../suites/mnist-quantized-mlp.js';
import { failUsage, runCommand, withUsageContract } from './cli.js';

const program = 'estibench peer:network';
const fail = (message: string): never => failUsage(program, message);
/** Untimed steps before each timed run, as the peer does. */
const warmupSteps = 20;

const parser = yargs(hideBin(process.argv))
  .scriptName('estibench-peer-network')
  .options({
    peer: { type: 'string', default: '../shared/peers/torch_mlp.py', description: 'path of the PyTorch peer script' },
    python: { type: 'string', default: '/usr/bin/python3', description: 'Python with torch (Debian: bash scripts/install-system-deps.sh --with-torch)' },
    rounds: { type: 'number', default: 3, description: 'alternating rounds (estibench, then PyTorch)' },
    steps: { type: 'number', default: 200, description: 'timed training steps per round and side' },
    bits: { type: 'number', default: 1 },
    batch: { type: 'number', default: 100 },
    estimator: { type: 'string', default: 'ste-clipped-relu' },
    threads: { type: 'number', description: 'threads of both sides (default: all cores)' },
  });

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

runCommand(program, async () => {
  const argv = await withUsageContract(parser, program).parse();
  for (const name of ['rounds', 'steps', 'bits', 'batch'] as const) {
    if (!Number.isInteger(argv[name]) || argv[name] < 1) fail(`--${name} must be a whole number >= 1, got ${argv[name]}`);
  }
  const estimator = builtInEstimators.get(argv.estimator) ?? fail(`unknown estimator '${argv.estimator}'; valid: ${[...builtInEstimators.keys()].join(', ')}`);
  if (!existsSync(argv.peer)) fail(`no peer script at ${argv.peer} (pass --peer PATH)`);
  const threads = Math.max(1, Math.floor(argv.threads ?? availableParallelism()));
  const backend = await createCpuBackend({ threads });
  const problem = mnistQuantizedMlp.create(withDefaults(mnistQuantizedMlp.params, { bits: argv.bits, batch: argv.batch }));
  const reason = unsupportedNodeReason(estimator, problem.nodeKind) ?? problemUnsupportedReason(problem, estimator);
  if (reason) fail(reason);
  const prepared = prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize: 1 });
  // Training steps only: evaluation on the data sets is what a benchmark run adds between steps, not part of a step.
  const cell: ReadyCell = { ...prepared, evaluate: async () => ({ loss: 0 }), trainingDefaults: { ...prepared.trainingDefaults, curvePoints: 1 } };
  const ours = (steps: number, round: number) => trainLogits(cell, estimator, { steps, batchSize: 1, seeds: 1 }, [new Rng(round)]);
  const rows: string[][] = [];
  const ratios: number[] = [];
  let torchVersion = '?';
  try {
    for (let round = 1; round <= argv.rounds; round++) {
      await ours(warmupSteps, 1000 + round);
      const estibench = (await ours(argv.steps, round)).msPerTrainingStep!;
      const peer = spawnSync(argv.python, [argv.peer, String(argv.bits), String(argv.batch), String(argv.steps)], {
        encoding: 'utf8', env: { ...process.env, PEER_THREADS: String(threads) },
      });
      if (peer.status !== 0) fail(`the peer failed: ${(peer.stderr || String(peer.error)).trim().split('\n').pop()}`);
      const torch = JSON.parse(peer.stdout) as { torch: string; msPerStep: number; msPerStepMin: number };
      torchVersion = torch.torch;
      ratios.push(estibench / torch.msPerStep);
      rows.push([String(round), estibench.toFixed(1), torch.msPerStep.toFixed(1), torch.msPerStepMin.toFixed(1), `${(estibench / torch.msPerStep).toFixed(2)}×`]);
    }
  } finally {
    prepared.dispose();
    backend.dispose();
  }
  const engine = (backend.ops as CpuTensorOps).engine();
  process.stdout.write(
    `mnist-quantized-mlp, batch ${argv.batch}, bits ${argv.bits}, ${argv.estimator}, Adam: ms per training step (median of ${argv.steps} steps after ${warmupSteps} warm-up steps)\n` +
      `estibench cpu: ${engine}; PyTorch ${torchVersion} eager: ${threads} thread(s)\n\n` +
      `${formatTable(['round', 'estibench cpu', 'pytorch eager', 'pytorch fastest step', 'estibench / pytorch'], rows)}\n\n` +
      `median ratio ${median(ratios).toFixed(2)}× (target: at most 1.5×)\n`,
  );
});
