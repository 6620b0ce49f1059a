#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { builtInBackends } from '../backends/index.js';
import { builtInEstimators } from '../estimators/index.js';
import { optionDefaults, resolveConfig } from '../harness/config.js';
import { loadPluginModules } from '../harness/plugins.js';
import { runBenchmark } from '../harness/runner.js';
import { parseSweepKinds, runSweeps, sweepKinds } from '../harness/sweeps.js';
import type { Registries } from '../harness/types.js';
import { builtInReporters, createDocumentReporters } from '../reports/index.js';
import { createProgressPrinter, createStepProgress } from '../reports/progress.js';
import { builtInSuites } from '../suites/index.js';
import { lastValue, runCommand, withUsageContract } from './cli.js';

async function main(): Promise<void> {
  const parser = yargs(hideBin(process.argv))
    .scriptName('estibench')
    .usage('$0 [options]\n\nScores gradient estimators (bias, variance, speed, final training loss) against exact gradients.')
    .options({
      suite: { type: 'string', array: true, description: `suite ids, comma-separated (default: all; built in: ${[...builtInSuites.keys()].join(', ')})` },
      estimator: { type: 'string', array: true, description: `estimator ids, comma-separated (default: all; built in: ${[...builtInEstimators.keys()].join(', ')})` },
      backend: { type: 'string', array: true, description: `backend ids, comma-separated (default: all: ${[...builtInBackends.keys()].join(', ')})` },
      samples: { type: 'number', coerce: lastValue<number>, default: optionDefaults.samples, description: 'single-sample estimates scored per cell' },
      'batch-size': { type: 'number', coerce: lastValue<number>, default: optionDefaults.batchSize, description: 'estimates per backend call and per timed batch' },
      steps: { type: 'number', coerce: lastValue<number>, default: optionDefaults.steps, description: 'Adam steps of the training run (0 skips training)' },
      'train-samples': { type: 'number', coerce: lastValue<number>, description: `estimates averaged per training step (default: the suite's, else ${optionDefaults.trainSamples})` },
      'train-seeds': { type: 'number', coerce: lastValue<number>, default: optionDefaults.trainSeeds, description: 'independent training runs averaged for the final loss' },
      'learning-rate': { type: 'number', coerce: lastValue<number>, description: `learning rate of the optimiser (default: the suite's, else ${optionDefaults.learningRate})` },
      optimizer: { type: 'string', coerce: lastValue<string>, choices: ['adam', 'sgd'], description: "training optimiser (default: the suite's, else adam)" },
      'timing-iterations': { type: 'number', coerce: lastValue<number>, default: optionDefaults.timingIterations, description: 'timed batches per cell (0 skips timing)' },
      seed: { type: 'number', coerce: lastValue<number>, default: optionDefaults.seed, description: 'seed of every random stream; same seed, same scores' },
      set: { type: 'string', array: true, description: 'parameter override key=value or id.key=value, repeatable (e.g. --set dim=256 --set gumbel-softmax.tau=0.5)' },
      plugin: { type: 'string', array: true, description: 'JavaScript module(s) exporting extra estimator or suite definitions' },
      sweep: { type: 'string', array: true, description: `extra measurements for the charts, comma-separated: ${sweepKinds.join(', ')} (logit: bias and variance across logits on bernoulli-toy; scaling: time against batch size and dimension)` },
      report: { type: 'boolean', default: true, description: 'write the charts (PNG), report.md and summary.md beside results.json; --no-report skips them' },
      out: { type: 'string', coerce: lastValue<string>, default: optionDefaults.out, description: 'output directory for results.json, the charts and report.md' },
    });
  const argv = await withUsageContract(parser, 'estibench').parse();

  let registries: Registries = { suites: builtInSuites, estimators: builtInEstimators, backends: builtInBackends };
  registries = await loadPluginModules(registries, (argv.plugin ?? []).flatMap((path) => path.split(',')));
  const config = resolveConfig(
    {
      suite: argv.suite,
      estimator: argv.estimator,
      backend: argv.backend,
      samples: argv.samples,
      batchSize: argv['batch-size'],
      steps: argv.steps,
      trainSamples: argv['train-samples'],
      trainSeeds: argv['train-seeds'],
      learningRate: argv['learning-rate'],
      optimizer: argv.optimizer,
      timingIterations: argv['timing-iterations'],
      seed: argv.seed,
      set: argv.set,
      out: argv.out,
    },
    registries,
  );
  const sweeps = parseSweepKinds(argv.sweep);
  const cells = await runBenchmark(config, registries, createProgressPrinter());
  const results = { ...cells, ...(await runSweeps(sweeps, config, registries, createStepProgress('sweep steps'))) };
  const reporters = [...builtInReporters.values(), ...(argv.report ? createDocumentReporters().values() : [])];
  const written: string[] = [];
  for (const reporter of reporters) written.push(...(await reporter.report(results, config.outDir)));
  for (const path of written) process.stderr.write(`wrote ${path}\n`);
}

runCommand('estibench', main);
