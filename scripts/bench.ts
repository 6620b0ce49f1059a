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
import { cellLimitDefaults, cellTimeLimitSeconds, pluginLoadLimitSeconds, resolveCellLimits } from '../harness/cell-limits.js';
import { createCellSupervisor } from '../harness/cell-supervisor.js';
import { acquireOutLock, staleLockLine } from '../harness/out-lock.js';
import { loadPluginModules } from '../harness/plugins.js';
import { runBenchmark } from '../harness/runner.js';
import { defaultBackends } from '../harness/default-backends.js';
import { resumeCodeLine } from '../harness/provenance.js';
import { resolveShard, withShardInPath } from '../harness/shard-auto.js';
import { leftOutLine, unsupportedPairLines } from '../harness/support.js';
import { sweepKinds } from '../harness/sweep-grid.js';
import { WriteFailure, writeFailureLine } from '../core/errors.js';
import { optimizerIds, type BenchConfig, type BenchResults, type Registries } from '../core/types.js';
import { builtInReporters, createDocumentReporters } from '../reports/index.js';
import { createProgressPrinter } from '../reports/progress.js';
import { builtInSuites } from '../suites/index.js';
import { isEntryPoint, lastOccurrenceOnly, lastValue, rejectEmptyValues, rejectLooseBooleans, runCommand, withUsageContract } from './cli.js';

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
  rejectLooseBooleans('estibench', args, ['resume', 'report', 'list-unsupported', 'help']);
  const value = { requiresArg: true } as const;
  // The suites a run without --suite plans (harness/config.ts selects them the same way).
  const defaultRunSuites = [...builtInSuites.values()].filter((suite) => suite.inDefaultRun !== false).map((suite) => suite.id);
  const options = {
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
    plugin: { ...value, type: 'string', array: true, description: 'module(s) exporting extra estimator or suite definitions: JavaScript (.js, .mjs, .cjs) or TypeScript (.ts, .mts, .cts, loaded without a build step); they run with your rights (docs/trust-and-limits.md)' },
    'cell-timeout': { ...value, type: 'number', coerce: lastValue<number>, description: `time limit of each cell and of loading the plug-ins, in seconds (default: ${cellLimitDefaults.baseSeconds} s + 1 µs per planned element-estimate per cell; ${cellLimitDefaults.pluginLoadSeconds} s for the plug-ins)` },
    'cell-memory': { ...value, type: 'number', coerce: lastValue<number>, description: `memory limit of the worker that runs the cells, in MiB (default: half this machine's memory, at most 16 GiB: ${cellLimitDefaults.memoryMiB})` },
    'score-at': { ...value, type: 'string', coerce: lastValue<string>, description: 'training steps at which to score bias, variance, MSE and cosine along each training run against the reference recomputed there, comma-separated, increasing, at most --steps (e.g. 0,50,200; docs/scores.md)' },
    sweep: { ...value, type: 'string', array: true, description: `extra measurements for the charts, comma-separated: ${sweepKinds.join(', ')} (logit: bias and variance across logits on bernoulli-toy; scaling: time against batch size and dimension)` },
    shard: { ...value, type: 'string', coerce: lastValue<string>, description: 'run shard i of n of the plan (e.g. 2/3), balanced by expected cost, or auto (auto/n) to take it from a Slurm array, a Kubernetes Indexed Job or ESTIBENCH_SHARD_INDEX/COUNT (docs/scale-out.md); {shard} in --out becomes i; merge with estibench merge DIR... --out DIR' },
    'list-unsupported': { type: 'boolean', default: false, description: 'list the estimator x suite pairs the run leaves out as unsupported, with the reasons, and exit' },
    resume: { type: 'boolean', default: false, description: 'keep the cells already in --out/cells.jsonl (same options) and run only the rest (--resume or --resume=true; other values are refused)' },
    report: { type: 'boolean', default: true, description: 'write the charts (PNG), report.md and summary.md beside results.json; --no-report skips them (an interrupted run writes results.json only)' },
    out: { ...value, type: 'string', coerce: lastValue<string>, default: optionDefaults.out, description: 'output directory for cells.jsonl, results.json, the charts and report.md' },
  } as const;
  // Numeric options repeated on one line: the last value wins (see lastOccurrenceOnly).
  const numericOptions = Object.entries(options).filter(([, option]) => option.type === 'number').map(([name]) => name);
  const parser = yargs(lastOccurrenceOnly(args, numericOptions))
    .scriptName('estibench')
    .usage('$0 [options]\n\nScores gradient estimators (bias, variance, speed, final training loss) against exact gradients.\n\n' +
      'Each cell runs in a worker process under a time and a memory limit (--cell-timeout, --cell-memory). --plugin runs the ' +
      "module's code with your rights; an ONNX model is untrusted input bounded by the cell limits (docs/trust-and-limits.md). " +
      'Exit status: 0 done, 1 a cell errored, 2 bad input, 3 a file could not be written, 130/143 interrupted.')
    .options(options);
  const argv = await withUsageContract(parser, 'estibench').parse();

  const limits = resolveCellLimits({ timeoutSeconds: argv['cell-timeout'], memoryMiB: argv['cell-memory'] });
  const pluginPaths = (argv.plugin ?? []).flatMap((path) => path.split(','));
  let registries: Registries = { suites: builtInSuites, estimators: builtInEstimators, backends: builtInBackends };
  let config: BenchConfig | null = null;
  const supervisor = createCellSupervisor({
    limits,
    pluginPaths,
    pluginLoadSeconds: pluginLoadLimitSeconds(limits),
    timeLimitSeconds: (work) => cellTimeLimitSeconds(limits, work, config!, registries),
  });
  // A worker loads the plug-ins first, under the limits: a module that never finishes loading is refused, not waited for.
  if (pluginPaths.length > 0) await supervisor.start();
  registries = await loadPluginModules(registries, pluginPaths);
  const resolvedShard = resolveShard(argv.shard, process.env);
  const shard = resolvedShard?.shard;
  // Without --backend: the gpu backend only where it reaches a hardware GPU (one line says so otherwise).
  const defaults = argv.backend === undefined && !argv['list-unsupported'] ? await defaultBackends(registries) : null;
  config = resolveConfig(
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
      scoreAt: argv['score-at'],
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
  supervisor.configure(config);
  const lock = await acquireOutLock(config.outDir, `estibench ${args.join(' ')}`.slice(0, 200));
  if (lock.tookOverFrom) process.stderr.write(`${staleLockLine(config.outDir, lock.tookOverFrom)}\n`);
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
  /** A file that cannot be written, as one line that says the finished cells are safe. */
  const writeFailure = (error: unknown) => {
    const line = writeFailureLine(error);
    if (!line) return error;
    return new WriteFailure(`${line}; the finished cells are kept in ${store.path}: once fixed, rerun the same command with --resume`);
  };
  let results: BenchResults;
  try {
    results = await runBenchmark(config, registries, {
      shard, store, signal: interruption.signal, interruptedBy: interruption.received, onProgress: createProgressPrinter(), executor: supervisor,
    });
  } catch (error) {
    throw writeFailure(error);
  } finally {
    store.close();
  }
  // An interrupted run stops within a second: results.json only; `estibench report` renders the rest later.
  const interrupted = Boolean(results.run.interruptedBy);
  const reporters = [...builtInReporters.values(), ...(argv.report && !interrupted ? createDocumentReporters().values() : [])];
  const written: string[] = [];
  try {
    for (const reporter of reporters) written.push(...(await reporter.report(results, config.outDir)));
  } catch (error) {
    throw writeFailure(error);
  }
  for (const path of written) process.stderr.write(`wrote ${path}\n`);
  lock.release();
  const { code, line } = verdict(results, config.outDir);
  process.stderr.write(`${line}\n`);
  return code;
}

if (isEntryPoint(import.meta.url)) runCommand('estibench', () => benchMain(hideBin(process.argv)));
