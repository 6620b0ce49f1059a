#!/usr/bin/env node
/**
 * Times the CPU backend's Bernoulli estimators that the mission peer (scripts/peers/torch_toy.py)
 * lacks against their PyTorch eager peer (scripts/peers/torch_bernoulli_toy.py) on bernoulli-toy, in
 * one run: for every D, at S estimates per batch, and every thread count, ours (the harness's timing,
 * as `npm run bench` does) and PyTorch limited to the same threads, each in its own process, one after
 * the other. Prints one Markdown table: ns per estimate and the ratio ours/torch (below 1: ours is faster).
 * The peer runs on .venv-peers/bin/python (`npm run setup:peers`) unless --torch-python names another.
 * Usage: npm run peer:bernoulli -- --help
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { failUsage, lastValue, withUsageContract } from './cli.js';
import { peerScript } from './peer-config.js';
import { compareWithTorch, parseTorchToyArguments, suiteParameterBound, torchToyOptions, wholeNumbers } from './peer-toy-common.js';

const program = 'estibench peer:bernoulli';
/** The estimators the peer implements (its header defines them). */
const peerEstimators = [
  'reinforce-loo', 'arm', 'disarm', 'hard-sigmoid-st', 'slope-annealed-st', 'stochastic-times-smooth', 'multiplicative-noise',
];
const defaultPeer = peerScript('torch_bernoulli_toy.py');

const parser = yargs(hideBin(process.argv))
  .scriptName('estibench-peer-bernoulli')
  .options({
    dims: { type: 'string', default: '16,256,4096', description: 'units D, comma-separated' },
    ...torchToyOptions(peerEstimators, defaultPeer, '8192,65536'),
  });
const argv = await withUsageContract(parser, program).parse();

const [minimumDim, maximumDim] = [suiteParameterBound('bernoulli-toy', 'dim', 'minimum'), suiteParameterBound('bernoulli-toy', 'dim', 'maximum')];
const dims = wholeNumbers(program, 'dims', argv.dims);
if (dims.some((dim) => dim < minimumDim || dim > maximumDim)) failUsage(program, `--dims must be between ${minimumDim} and ${maximumDim} (bernoulli-toy's dim; got '${lastValue(argv.dims)}')`);
const sizes = dims.map((dim) => ({ tableLabel: String(dim), name: `D ${dim}`, peerArguments: [String(dim)], settings: [`bernoulli-toy.dim=${dim}`] }));
const settings = parseTorchToyArguments(program, argv, peerEstimators);
await compareWithTorch({ suite: 'bernoulli-toy', sizeHeader: 'D', sizes, ...settings });
process.exit(0);
