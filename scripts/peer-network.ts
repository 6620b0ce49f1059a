#!/usr/bin/env node
/**
 * Times one training step of a network suite on the CPU backend against its PyTorch peer in one run,
 * alternating the two for several rounds so that both see the same machine load, and prints each
 * round's ratio under the peer's configuration (version, threads, BLAS): mnist-quantized-mlp against
 * scripts/peers/torch_mlp.py (the same network, quantizer, straight-through backward and Adam),
 * mnist-binary-vae (layers 1) against scripts/peers/torch_vae.py (the same model, DisARM estimator,
 * ∂L/∂a term and Adam) or, with --estimator rebar or relax, scripts/peers/torch_vae_rebar.py (REBAR's
 * three evaluations, RELAX's surrogate network, and their online adaptation, as estibench computes
 * them), mnist-categorical-vae (its defaults) against scripts/peers/torch_categorical_vae.py
 * (the same model, Gumbel-softmax estimator and Adam). Both sides run on the same threads; the peer on
 * .venv-peers/bin/python (`npm run setup:peers`) unless --python names another. --compile adds
 * torch.compile'd steps of the same peer, as information. --precision float64 trains estibench's side in
 * float64 instead of the suites' float32 (the step before float32 training, for comparison). Usage: npm
 * run peer:network -- [--suite mnist-quantized-mlp] [--rounds 3] [--steps 200] [--bits 1] [--batch N]
 * [--estimator ID] [--threads N] [--precision float32|float64] [--compile] [--peer PATH] [--python PATH]
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
import { mnistCategoricalVae } from '../suites/mnist-categorical-vae.js';
import { mnistQuantizedMlp } from '../suites/mnist-quantized-mlp.js';
import type { SuiteDefinition } from '../core/suite.js';
import { trainingPrecisions, type TrainingPrecision } from '../core/types.js';
import { failUsage, runCommand, withUsageContract } from './cli.js';
import { defaultPeerPython, describePeerConfig, parsePeerOutput, pathFromRoot, peerPythonProblem, peerScript, type PeerConfig } from './peer-config.js';

const program = 'estibench peer:network';
const fail = (message: string): never => failUsage(program, message);
/** Untimed steps before each timed run, as the peer does. */
const warmupSteps = 20;

/** A PyTorch peer script and the words it takes before the settings (which estimator it computes). */
interface PeerScript {
  readonly script: string;
  readonly words?: readonly string[];
  /** Whether the peer has a torch.compile'd form (--compile). */
  readonly compiles: boolean;
}

/**
 * A network suite with PyTorch peers: the defaults of both sides, the estimators the peers implement
 * (the first is the default) with their scripts, and how each side is given the settings (the peer's
 * last positional argument is threads).
 */
interface NetworkPeer {
  readonly suite: SuiteDefinition;
  readonly peers: ReadonlyMap<string, PeerScript>;
  readonly batch: number;
  suiteParams(settings: { bits: number; batch: number }): Record<string, number>;
  peerArgs(settings: { bits: number; batch: number; steps: number; threads: number }): number[];
  title(settings: { bits: number; batch: number }): string;
}

const networkPeers: ReadonlyMap<string, NetworkPeer> = new Map([
  ['mnist-quantized-mlp', {
    suite: mnistQuantizedMlp, peers: new Map([['ste-clipped-relu', { script: peerScript('torch_mlp.py'), compiles: true }]]), batch: 100,
    suiteParams: ({ bits, batch }) => ({ bits, batch }),
    peerArgs: ({ bits, batch, steps, threads }) => [bits, batch, steps, threads],
    title: ({ bits, batch }) => `mnist-quantized-mlp, batch ${batch}, bits ${bits}`,
  }],
  ['mnist-binary-vae', {
    suite: mnistBinaryVae,
    peers: new Map([
      ['disarm', { script: peerScript('torch_vae.py'), compiles: true }],
      ['rebar', { script: peerScript('torch_vae_rebar.py'), words: ['rebar'], compiles: false }],
      ['relax', { script: peerScript('torch_vae_rebar.py'), words: ['relax'], compiles: false }],
    ]),
    batch: 50,
    suiteParams: ({ batch }) => ({ layers: 1, batch }),
    peerArgs: ({ batch, steps, threads }) => [batch, steps, threads],
    title: ({ batch }) => `mnist-binary-vae, layers 1, batch ${batch}`,
  }],
  ['mnist-categorical-vae', {
    suite: mnistCategoricalVae, peers: new Map([['gumbel-softmax', { script: peerScript('torch_categorical_vae.py'), compiles: true }]]), batch: 100,
    suiteParams: ({ batch }) => ({ batch }),
    peerArgs: ({ batch, steps, threads }) => [batch, steps, threads],
    title: ({ batch }) => `mnist-categorical-vae, 20 x 10 latents, MLPs 512-256, batch ${batch}`,
  }],
]);

const parser = yargs(hideBin(process.argv))
  .scriptName('estibench-peer-network')
  .options({
    suite: { type: 'string', default: 'mnist-quantized-mlp', description: `network suite: ${[...networkPeers.keys()].join(', ')}` },
    peer: { type: 'string', description: 'path of the PyTorch peer script (default: the suite\'s, under scripts/peers/)' },
    python: { type: 'string', default: defaultPeerPython, description: 'Python with torch (default: .venv-peers/bin/python, made by `npm run setup:peers`)' },
    rounds: { type: 'number', default: 3, description: 'alternating rounds (estibench, then PyTorch)' },
    steps: { type: 'number', default: 200, description: 'timed training steps per round and side' },
    bits: { type: 'number', default: 1, description: 'activation bits (mnist-quantized-mlp)' },
    batch: { type: 'number', description: 'images per minibatch (default: 100 for mnist-quantized-mlp and mnist-categorical-vae, 50 for mnist-binary-vae)' },
    estimator: { type: 'string', description: 'estimator, one the suite\'s peers implement: ste-clipped-relu (mnist-quantized-mlp), disarm, rebar or relax (mnist-binary-vae), gumbel-softmax (mnist-categorical-vae); default the first' },
    threads: { type: 'number', description: 'threads of both sides (default: all cores)' },
    precision: { type: 'string', choices: trainingPrecisions, description: 'what estibench trains in (default: the suite\'s, float32 for these suites)' },
    compile: { type: 'boolean', default: false, description: 'also time the peer under torch.compile each round (information; the first compilation takes minutes)' },
  });

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** One run of the peer: its configuration and median and fastest step, or fails with one line. */
function runPeer(python: string, args: readonly string[]): { config: PeerConfig | null; msPerStep: number; msPerStepMin: number; torch: string; eta?: number; temperature?: number; surrogateNorm?: number } {
  const run = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) fail(`the peer failed: ${[python, ...args].join(' ')}: ${(run.stderr || String(run.error)).trim().split('\n').pop()}`);
  try {
    const { config, result } = parsePeerOutput<{ torch: string; msPerStep: number; msPerStepMin: number; eta?: number; temperature?: number; surrogateNorm?: number }>(run.stdout);
    return { config, ...result };
  } catch (error) {
    return fail(`the peer printed no measurement (${[python, ...args].join(' ')}): ${error instanceof Error ? error.message : String(error)}`);
  }
}

runCommand(program, async () => {
  const argv = await withUsageContract(parser, program).parse();
  const network = networkPeers.get(argv.suite) ?? fail(`unknown --suite '${argv.suite}'; valid: ${[...networkPeers.keys()].join(', ')}`);
  const estimatorId = argv.estimator ?? [...network.peers.keys()][0];
  // A peer implements its estimators only: timing another on our side would compare different work.
  const peerScriptOf = network.peers.get(estimatorId);
  const settings = { ...argv, batch: argv.batch ?? network.batch, estimator: estimatorId, peer: argv.peer ?? peerScriptOf?.script ?? '' };
  for (const name of ['rounds', 'steps', 'bits', 'batch'] as const) {
    if (!Number.isInteger(settings[name]) || settings[name] < 1) fail(`--${name} must be a whole number >= 1, got ${settings[name]}`);
  }
  if (argv.threads !== undefined && !(Number.isInteger(argv.threads) && argv.threads >= 1)) fail(`--threads must be a whole number >= 1, got ${argv.threads}`);
  const estimator = builtInEstimators.get(settings.estimator) ?? fail(`unknown estimator '${settings.estimator}'; valid: ${[...builtInEstimators.keys()].join(', ')}`);
  if (!peerScriptOf) fail(`--estimator '${settings.estimator}': the ${argv.suite} peers implement ${[...network.peers.keys()].join(', ')} only`);
  if (argv.compile && !peerScriptOf!.compiles) fail(`--compile: the ${argv.suite} peer of ${settings.estimator} has no torch.compile'd form (its step is a loop of five estimates on the host)`);
  if (!existsSync(settings.peer)) fail(`no peer script at ${settings.peer} (pass --peer PATH)`);
  const pythonProblem = peerPythonProblem(argv.python, 'torch', '--python');
  if (pythonProblem) fail(pythonProblem);
  const threads = argv.threads ?? availableParallelism();
  const backend = await createCpuBackend({ threads });
  const problem = network.suite.create(withDefaults(network.suite.params, network.suiteParams(settings)));
  const reason = unsupportedNodeReason(estimator, problem.nodeKind) ?? problemUnsupportedReason(problem, estimator);
  if (reason) fail(reason);
  const prepared = prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize: 1 });
  // Training steps only: evaluation on the data sets is what a benchmark run adds between steps, not part of a step.
  const cell: ReadyCell = { ...prepared, evaluate: async () => ({ loss: 0 }), trainingDefaults: { ...prepared.trainingDefaults, curvePoints: 1 } };
  const precision = argv.precision as TrainingPrecision | undefined;
  const ours = (steps: number, round: number) => trainLogits(cell, estimator, { steps, batchSize: 1, seeds: 1, ...(precision ? { precision } : {}) }, [new Rng(round)]);
  const peerArgs = [settings.peer, ...(peerScriptOf!.words ?? []), ...network.peerArgs({ ...settings, threads }).map(String)];
  const rows: string[][] = [];
  const ratios: number[] = [];
  const compiledRatios: number[] = [];
  const configs = new Set<string>();
  let trainedIn = '';
  // An adaptive estimator's η and λ at the end of each side's timed steps: both sides adapt them, as the table's steps include.
  const states: string[] = [];
  try {
    for (let round = 1; round <= argv.rounds; round++) {
      process.stderr.write(`round ${round}/${argv.rounds}: estibench `);
      await ours(warmupSteps, 1000 + round);
      const timed = await ours(argv.steps, round);
      const estibench = timed.msPerTrainingStep!;
      trainedIn = timed.trainingSettings!.precision ?? 'float64';
      process.stderr.write('pytorch-eager ');
      const eager = runPeer(argv.python, peerArgs);
      configs.add(describePeerConfig(eager.config));
      const ourState = timed.finalEstimatorStates[0] ?? {};
      if (ourState.eta !== undefined && eager.eta !== undefined) {
        // RELAX's network: the norm of its weights (estibench records arrays by length and norm).
        const norm = (value: number | undefined) => (value === undefined ? '' : `, network weights' norm ${value.toFixed(4)}`);
        states.push(
          `round ${round}: estibench η ${ourState.eta.toFixed(4)}, λ ${ourState.temperature.toFixed(4)}${norm(ourState.surrogateWeightsNorm)}; ` +
            `pytorch η ${eager.eta.toFixed(4)}, λ ${eager.temperature!.toFixed(4)}${norm(eager.surrogateNorm)}`,
        );
      }
      const row = [String(round), estibench.toFixed(2), eager.msPerStep.toFixed(2), eager.msPerStepMin.toFixed(2), `${(estibench / eager.msPerStep).toFixed(2)}×`];
      ratios.push(estibench / eager.msPerStep);
      if (argv.compile) {
        process.stderr.write('pytorch-compile ');
        const compiled = runPeer(argv.python, [...peerArgs, '--compile']);
        compiledRatios.push(estibench / compiled.msPerStep);
        row.push(compiled.msPerStep.toFixed(2), `${(estibench / compiled.msPerStep).toFixed(2)}×`);
      }
      process.stderr.write('\n');
      rows.push(row);
    }
  } finally {
    prepared.dispose();
    backend.dispose();
  }
  const engine = (backend.ops as CpuTensorOps).engine();
  const header = ['round', 'estibench cpu', 'pytorch eager', 'pytorch fastest step', 'estibench / eager', ...(argv.compile ? ['pytorch compile', 'estibench / compile'] : [])];
  process.stdout.write(
    `${network.title(settings)}, ${settings.estimator}, Adam: ms per training step (median of ${argv.steps} steps after ${warmupSteps} warm-up steps), both sides on ${threads} thread(s)\n` +
      `- estibench cpu: ${engine}, ${threads} thread(s), trained in ${trainedIn}\n` +
      `${[...configs].map((config) => `- peer: ${config}; ${pathFromRoot(settings.peer)}`).join('\n')}\n\n` +
      `${formatTable(header, rows)}\n\n` +
      `median ratio estibench / pytorch eager ${median(ratios).toFixed(2)}× (below 1: estibench is faster; target: at most 1.0×)` +
      `${argv.compile ? `; estibench / torch.compile ${median(compiledRatios).toFixed(2)}×` : ''}\n` +
      `${states.length > 0 ? `\nestimator state at the end of each round (estibench after its ${argv.steps} timed steps from the start, pytorch after its ${warmupSteps} + ${argv.steps}):\n${states.join('\n')}\n` : ''}`,
  );
});
