#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { builtInBackends } from '../backends/index.js';
import { builtInEstimators } from '../estimators/index.js';
import { hostEnvironment } from '../harness/assemble.js';
import { configFingerprint } from '../harness/cell-key.js';
import { openCellStore } from '../harness/cell-store.js';
import { optionDefaults, optionLimits, resolveConfig } from '../harness/config.js';
import { watchInterruption, interruptionExitCodes } from '../harness/interruption.js';
import { loadPluginModules } from '../harness/plugins.js';
import { runBenchmark } from '../harness/runner.js';
import { defaultBackends } from '../harness/default-backends.js';
import { resumeCodeLine } from '../harness/provenance.js';
import { resolveShard, withShardInPath } from '../harness/shard-auto.js';
import { leftOutLine, unsupportedPairLines } from '../harness/support.js';
import { sweepKinds } from '../harness/sweep-grid.js';
import { optimizerIds, type BenchResults, type Registries } from '../core/types.js';
import { builtInReporters, createDocumentReporters } from '../reports/index.js';
import { createProgressPrinter } from '../reports/progress.js';
import { builtInSuites } from '../suites/index.js';
import { isEntryPoint, lastValue, rejectEmptyValues, runCommand, withUsageContract } from './cli.js';

/** Counts of the run's results by state, cells and sweep series together. */
function stateCounts(results: BenchResults): Record<'completed' | 'errored' | 'unsupported', number> & { total: number } {
  const states = [...results.cells, ...(results.sweeps?.logit?.series ?? []), ...(results.scaling?.series ?? [])].map((result) => result.state);
  const count = (state: string) => states.filter((candidate) => candidate === state).length;
  return { total: states.length, completed: count('completed'), errored: count('errored'), unsupported: count('unsupported') };
}

/**
 * The exit status and the last line: 130/143 when a signal stopped the run, 1 when any cell errored,
 * 0 when every cell completed or was unsupported.
 */
function verdict(results: BenchResults, outDir: string): { code: number; line: string } {
  const counts = stateCounts(results);
  const tally = `${counts.completed} completed, ${counts.unsupported} unsupported, ${counts.errored} errored`;
  if (results.run.interruptedBy) {
    return {
      code: interruptionExitCodes[results.run.interruptedBy],
      line: `estibench: interrupted by ${results.run.interruptedBy}: ${counts.total} of ${results.run.plannedCells} cells done (${tally}), written to ${outDir}; ` +
        'run the same command with --resume to finish',
    };
  }
  const code = counts.errored > 0 ? 1 : 0;
  return { code, line: `estibench: ${counts.total} cells: ${tally}${code === 1 ? ' (exit status 1)' : ''}` };
}

/** Runs the command with its arguments (without the program name); `estibench` dispatches here. */
export async function benchMain(args: string[]): Promise<number> {
  rejectEmptyValues('estibench', args);
  const value = { requiresArg: true } as const;
  // The suites a run without --suite plans (harness/config.ts selects them the same way).
  const defaultRunSuites = [...builtInSuites.values()].filter((suite) => suite.inDefaultRun !== false).map((suite) => suite.id);
  const parser = yargs(args)
    .scriptName('estibench')
    .usage('$0 [options]\n\nScores gradient estimators (bias, variance, speed, final training loss) against exact gradients.')
    .options({
      suite: { ...value, type: 'string', array: true, description: `suite ids, comma-separated (default: the suites of the default run, ${defaultRunSuites.join(', ')}; built in: ${[...builtInSuites.keys()].join(', ')})` },
      estimator: { ...value, type: 'string', array: true, description: `estimator ids, comma-separated (default: all; built in: ${[...builtInEstimators.keys()].join(', ')})` },
      backend: { ...value, type: 'string', array: true, description: `backend ids, comma-separated (built in: ${[...builtInBackends.keys()].join(', ')}; default: cpu, and gpu only where it reaches a hardware GPU, not a software rasteriser)` },
      samples: { ...value, type: 'number', coerce: lastValue<number>, default: optionDefaults.samples, description: `single-sample estimates scored per cell (at most ${optionLimits.samples})` },
      'batch-size': { ...value, type: 'number', coerce: lastValue<number>, default: optionDefaults.batchSize, description: 'estimates per backend call and per timed batch' },
      steps: { ...value, type: 'number', coerce: lastValue<number>, default: optionDefaults.steps, description: 'training steps (0 skips training)' },
      'train-samples': { ...value, type: 'number', coerce: lastValue<number>, description: `estimates averaged per training step (default: the suite's, else ${optionDefaults.trainSamples})` },
      'train-seeds': { ...value, type: 'number', coerce: lastValue<number>, default: optionDefaults.trainSeeds, description: 'independent training runs averaged for the final loss' },
      'learning-rate': { ...value, type: 'number', coerce: lastValue<number>, description: `learning rate of the optimiser (default: the suite's, else ${optionDefaults.learningRate})` },
      optimizer: { ...value, type: 'string', coerce: lastValue<string>, choices: optimizerIds, description: "training optimiser (default: the suite's, else adam)" },
      'timing-iterations': { ...value, type: 'number', coerce: lastValue<number>, default: optionDefaults.timingIterations, description: 'timed batches per cell (0 skips timing)' },
      seed: { ...value, type: 'string', array: true, default: [String(optionDefaults.seed)], description: 'seed of every random stream; same seed, same scores; several (1,2,3) make one cell per seed' },
      set: { ...value, type: 'string', array: true, description: 'parameter override key=value or id.key=value, repeatable; a list or range makes a grid (e.g. --set dim=256 --set gumbel-softmax.tau=0.1,0.5,1 --set tau=0.1:1:4)' },
      threads: { ...value, type: 'number', coerce: lastValue<number>, description: 'worker threads of the CPU backend (default: every core)' },
      plugin: { ...value, type: 'string', array: true, description: 'module(s) exporting extra estimator or suite definitions: JavaScript (.js, .mjs, .cjs) or TypeScript (.ts, .mts, .cts, loaded without a build step)' },
      sweep: { ...value, type: 'string', array: true, description: `extra measurements for the charts, comma-separated: ${sweepKinds.join(', ')} (logit: bias and variance across logits on bernoulli-toy; scaling: time against batch size and dimension)` },
      shard: { ...value, type: 'string', coerce: lastValue<string>, description: 'run shard i of n of the plan (e.g. 2/3), balanced by expected cost, or auto (auto/n) to take it from a Slurm array, a Kubernetes Indexed Job or ESTIBENCH_SHARD_INDEX/COUNT (docs/scale-out.md); {shard} in --out becomes i; merge with estibench merge DIR... --out DIR' },
      'list-unsupported': { type: 'boolean', default: false, description: 'list the estimator x suite pairs the run leaves out as unsupported, with the reasons, and exit' },
      resume: { type: 'boolean', default: false, description: 'keep the cells already in --out/cells.jsonl (same options) and run only the rest' },
      report: { type: 'boolean', default: true, description: 'write the charts (PNG), report.md and summary.md beside results.json; --no-report skips them' },
      out: { ...value, type: 'string', coerce: lastValue<string>, default: optionDefaults.out, description: 'output directory for cells.jsonl, results.json, the charts and report.md' },
    });
  const argv = await withUsageContract(parser, 'estibench').parse();

  let registries: Registries = { suites: builtInSuites, estimators: builtInEstimators, backends: builtInBackends };
  registries = await loadPluginModules(registries, (argv.plugin ?? []).flatMap((path) => path.split(',')));
  const resolvedShard = resolveShard(argv.shard, process.env);
  const shard = resolvedShard?.shard;
  // Without --backend: the gpu backend only where it reaches a hardware GPU (one line says so otherwise).
  const defaults = argv.backend === undefined && !argv['list-unsupported'] ? await defaultBackends(registries) : null;
  const config = resolveConfig(
    {
      suite: argv.suite,
      estimator: argv.estimator,
      backend: argv.backend ?? defaults?.ids,
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
      sweep: argv.sweep,
      threads: argv.threads,
      out: withShardInPath(argv.out, resolvedShard),
    },
    registries,
  );
  if (argv['list-unsupported']) {
    const lines = unsupportedPairLines(config.unsupportedPairs);
    process.stdout.write(lines.length > 0 ? `${lines.join('\n')}\n` : 'no unsupported estimator × suite pair among the selected ones\n');
    return 0;
  }
  // Opening cells.jsonl checks that the output directory is writable, before anything is computed.
  const store = await openCellStore(config.outDir, {
    kind: 'header', schemaVersion: 2, createdAt: new Date().toISOString(), fingerprint: configFingerprint(config),
    ...(shard ? { shard } : {}), config, env: hostEnvironment(),
  }, argv.resume);
  // After the options and --out are known to be good: bad input stays one line.
  for (const note of defaults?.notes ?? []) process.stderr.write(`${note}\n`);
  if (resolvedShard?.from) process.stderr.write(`--shard auto: shard ${resolvedShard.shard.index}/${resolvedShard.shard.count} from ${resolvedShard.from}\n`);
  const leftOut = leftOutLine(config.unsupportedPairs);
  if (leftOut) process.stderr.write(`${leftOut}\n`);
  if (argv.resume && !store.resumedFrom) process.stderr.write(`--resume: no ${store.path} yet; starting the run afresh\n`);
  const codeLine = store.resumedFrom ? resumeCodeLine(config, store.header.config) : null;
  if (codeLine) process.stderr.write(`${codeLine}\n`);
  const interruption = watchInterruption((signal) => process.stderr.write(`\n${signal}: stopping; writing the finished cells (${signal} again exits at once)\n`));
  let results: BenchResults;
  try {
    results = await runBenchmark(config, registries, { shard, store, signal: interruption.signal, interruptedBy: interruption.received, onProgress: createProgressPrinter() });
  } finally {
    store.close();
  }
  const reporters = [...builtInReporters.values(), ...(argv.report ? createDocumentReporters().values() : [])];
  const written: string[] = [];
  for (const reporter of reporters) written.push(...(await reporter.report(results, config.outDir)));
  for (const path of written) process.stderr.write(`wrote ${path}\n`);
  const { code, line } = verdict(results, config.outDir);
  process.stderr.write(`${line}\n`);
  return code;
}

if (isEntryPoint(import.meta.url)) runCommand('estibench', () => benchMain(hideBin(process.argv)));
