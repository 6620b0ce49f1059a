#!/usr/bin/env node
/**
 * Times the CPU backend's categorical estimators against the PyTorch eager peer
 * (scripts/peers/torch_categorical_toy.py) on categorical-toy, in one run: for every size D x K, at S
 * estimates per batch, and every thread count, ours (the harness's timing, as `npm run bench` does)
 * and PyTorch limited to the same threads, each in its own process, one after the other. Prints one
 * Markdown table: ns per estimate and the ratio ours/torch (below 1: ours is faster).
 * The peer runs on .venv-peers/bin/python (`npm run setup:peers`) unless --torch-python names another.
 * Usage: npm run peer:categorical -- --help
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { failUsage, lastValue, withUsageContract } from './cli.js';
import { peerScript } from './peer-config.js';
import { compareWithTorch, parseTorchToyArguments, suiteParameterBound, torchToyOptions } from './peer-toy-common.js';

const program = 'estibench peer:categorical';
/** The estimators the peer implements (its header defines them). */
const peerEstimators = ['gumbel-softmax', 'st-gumbel-softmax', 'reinmax', 'gumbel-rao', 'reinforce-loo'];
const defaultPeer = peerScript('torch_categorical_toy.py');

const parser = yargs(hideBin(process.argv))
  .scriptName('estibench-peer-categorical')
  .options({
    sizes: { type: 'string', default: '32x6,256x10', description: 'units x classes D x K, comma-separated' },
    ...torchToyOptions(peerEstimators, defaultPeer, '8192'),
  });
const argv = await withUsageContract(parser, program).parse();

const limit = (name: 'dim' | 'classes', bound: 'minimum' | 'maximum') => suiteParameterBound('categorical-toy', name, bound);
const sizes = String(lastValue(argv.sizes)).split(',').map((item) => {
  const match = /^\s*(\d+)x(\d+)\s*$/.exec(item);
  const [units, classes] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(units >= limit('dim', 'minimum') && units <= limit('dim', 'maximum') && classes >= limit('classes', 'minimum') && classes <= limit('classes', 'maximum'))) {
    failUsage(program, `--sizes must be DxK pairs, comma-separated, with ${limit('dim', 'minimum')} <= D <= ${limit('dim', 'maximum')} and ` +
      `${limit('classes', 'minimum')} <= K <= ${limit('classes', 'maximum')} (got '${item.trim()}')`);
  }
  return {
    tableLabel: `${units} x ${classes}`, name: `${units}x${classes}`, peerArguments: [String(units), String(classes)],
    settings: [`categorical-toy.dim=${units}`, `categorical-toy.classes=${classes}`],
  };
});
const settings = parseTorchToyArguments(program, argv, peerEstimators);
await compareWithTorch({ suite: 'categorical-toy', sizeHeader: 'D x K', sizes, ...settings });
process.exit(0);
