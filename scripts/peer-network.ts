#!/usr/bin/env node
/**
 * Times one training step of a network suite on the CPU backend against its PyTorch eager peer in one
 * run, alternating the two for several rounds so that both see the same machine load, and prints each
 * round's ratio: mnist-quantized-mlp against ../shared/peers/torch_mlp.py (the same network, quantizer,
 * straight-through backward and Adam), mnist-binary-vae (layers 1) against ../shared/peers/torch_vae.py
 * (the same model, DisARM estimator, ∂L/∂a term and Adam). Usage: npm run peer:network -- [--suite
 * mnist-quantized-mlp] [--rounds 3] [--steps 200] [--bits 1] [--batch N] [--estimator ID] [--threads N]
 * [--peer PATH] [--python /usr/bin/python3]
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
import { unsupportedNodeReason } from '../core/node-kinds.js';
import { withDefaults } from '../core/parameters.js';
import { Rng } from '../core/rng.js';
import { trainLogits } from '../harness/training.js';
import { formatTable } from '../reports/format.js';
import { mnistBinaryVae } from '../suites/mnist-binary-vae.js';
import { mnistQuantizedMlp } from '../suites/mnist-quantized-mlp.js';
import type { SuiteDefinition } from '../core/suite.js';
import { failUsage, runCommand, withUsageContract } from './cli.js';

const program = 'estibench peer:network';
const fail = (message: string): never => failUsage(program, message);
/** Untimed steps before each timed run, as the peer does. */
const warmupSteps = 20;

/** A network suite with a PyTorch peer: the defaults of both sides, and how each side is given the settings. */
interface NetworkPeer {
  readonly suite: SuiteDefinition;
  readonly peer: string;
  readonly estimator: string;
  readonly batch: number;
  suiteParams(settings: { bits: number; batch: number }): Record<string, number>;
  peerArgs(settings: { bits: number; batch: number; steps: number }): number[];
  title(settings: { bits: number; batch: number }): string;
}

const networkPeers: ReadonlyMap<string, NetworkPeer> = new Map([
  ['mnist-quantized-mlp', {
    suite: mnistQuantizedMlp, peer: '../shared/peers/torch_mlp.py', estimator: 'ste-clipped-relu', batch: 100,
    suiteParams: ({ bits, batch }) => ({ bits, batch }),
    peerArgs: ({ bits, batch, steps }) => [bits, batch, steps],
    title: ({ bits, batch }) => `mnist-quantized-mlp, batch ${batch}, bits ${bits}`,
  }],
  ['mnist-binary-vae', {
    suite: mnistBinaryVae, peer: '../shared/peers/torch_vae.py', estimator: 'disarm', batch: 50,
    suiteParams: ({ batch }) => ({ layers: 1, batch }),
    peerArgs: ({ batch, steps }) => [batch, steps],
    title: ({ batch }) => `mnist-binary-vae, layers 1, batch ${batch}`,
  }],
]);

const parser = yargs(hideBin(process.argv))
  .scriptName('estibench-peer-network')
  .options({
    suite: { type: 'string', default: 'mnist-quantized-mlp', description: `network suite: ${[...networkPeers.keys()].join(', ')}` },
    peer: { type: 'string', description: 'path of the PyTorch peer script (default: the suite\'s, under ../shared/peers/)' },
    python: { type: 'string', default: '/usr/bin/python3', description: 'Python with torch (Debian: bash scripts/install-system-deps.sh --with-torch)' },
    rounds: { type: 'number', default: 3, description: 'alternating rounds (estibench, then PyTorch)' },
    steps: { type: 'number', default: 200, description: 'timed training steps per round and side' },
    bits: { type: 'number', default: 1, description: 'activation bits (mnist-quantized-mlp)' },
    batch: { type: 'number', description: 'images per minibatch (default: 100 for mnist-quantized-mlp, 50 for mnist-binary-vae)' },
    estimator: { type: 'string', description: 'estimator (default: ste-clipped-relu for mnist-quantized-mlp, disarm for mnist-binary-vae)' },
    threads: { type: 'number', description: 'threads of both sides (default: all cores)' },
  });

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

runCommand(program, async () => {
  const argv = await withUsageContract(parser, program).parse();
  const network = networkPeers.get(argv.suite) ?? fail(`unknown --suite '${argv.suite}'; valid: ${[...networkPeers.keys()].join(', ')}`);
  const settings = { ...argv, batch: argv.batch ?? network.batch, estimator: argv.estimator ?? network.estimator, peer: argv.peer ?? network.peer };
  for (const name of ['rounds', 'steps', 'bits', 'batch'] as const) {
    if (!Number.isInteger(settings[name]) || settings[name] < 1) fail(`--${name} must be a whole number >= 1, got ${settings[name]}`);
  }
  const estimator = builtInEstimators.get(settings.estimator) ?? fail(`unknown estimator '${settings.estimator}'; valid: ${[...builtInEstimators.keys()].join(', ')}`);
  if (!existsSync(settings.peer)) fail(`no peer script at ${settings.peer} (pass --peer PATH)`);
  const threads = Math.max(1, Math.floor(argv.threads ?? availableParallelism()));
  const backend = await createCpuBackend({ threads });
  const problem = network.suite.create(withDefaults(network.suite.params, network.suiteParams(settings)));
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
      const peer = spawnSync(argv.python, [settings.peer, ...network.peerArgs(settings).map(String)], {
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
    `${network.title(settings)}, ${settings.estimator}, Adam: ms per training step (median of ${argv.steps} steps after ${warmupSteps} warm-up steps)\n` +
      `estibench cpu: ${engine}; PyTorch ${torchVersion} eager: ${threads} thread(s)\n\n` +
      `${formatTable(['round', 'estibench cpu', 'pytorch eager', 'pytorch fastest step', 'estibench / pytorch'], rows)}\n\n` +
      `median ratio ${median(ratios).toFixed(2)}× (target: at most 1.5×)\n`,
  );
});
