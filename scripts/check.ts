#!/usr/bin/env node
/**
 * `estibench check FILE`: runs an estimator plug-in through the conformance kit the built-in
 * estimators pass (harness/check), printing one verdict per check. Exit 0 when every check passes or
 * skips, 1 when one fails, 2 on bad input (missing file, unloadable module, not an estimator).
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { builtInBackends } from '../backends/index.js';
import type { ComputeBackend } from '../core/backend.js';
import { errorMessage, UsageError } from '../core/errors.js';
import { defaultCheckSettings, type CheckSettings } from '../harness/check/check-types.js';
import { formatVerdict, loadEstimatorsToCheck, runConformanceChecks, type CheckBackends } from '../harness/check/run-checks.js';
import { isEntryPoint, lastValue, rejectEmptyValues, runCommand, withUsageContract } from './cli.js';

const program = 'estibench check';

/** Starts the CPU backend, and the GPU backend when asked for (its failure to start becomes the agreement check's SKIP reason). */
async function startBackends(gpu: boolean, threads: number): Promise<CheckBackends> {
  const cpu = await builtInBackends.get('cpu')!({ threads });
  if (!gpu) return { cpu, gpu: { unavailable: 'not asked for: give --gpu to compare with the gpu.js backend' } };
  try {
    return { cpu, gpu: await builtInBackends.get('gpu')!({ threads }) };
  } catch (error) {
    return { cpu, gpu: { unavailable: `the gpu backend did not start here: ${errorMessage(error).split('\n')[0]}` } };
  }
}

/** Parses `args` (without node and the script), checks every estimator of the plug-in, and returns the exit code. */
export async function checkMain(args: readonly string[]): Promise<number> {
  rejectEmptyValues(program, args);
  const value = { requiresArg: true } as const;
  const parser = yargs([...args])
    .scriptName('estibench-check')
    .usage('$0 FILE [--gpu] [--samples N] [--seed S]\n\n' +
      'Runs an estimator plug-in (a JavaScript module, as --plugin loads it) through the conformance kit: shapes and declared names, ' +
      'determinism for a seed, NaN handling, CPU/GPU agreement (with --gpu), and its mean against the exact gradient on enumerable suites.')
    .command('$0 [file]', false)
    .positional('file', { type: 'string', description: 'the plug-in module (.js or .mjs) exporting one or more estimator definitions' })
    .options({
      gpu: { type: 'boolean', default: false, description: 'also compare the gpu.js backend with the CPU (slow where the GPU is a software rasteriser)' },
      samples: { ...value, type: 'number', coerce: lastValue<number>, default: defaultCheckSettings.samples, description: 'estimates per point of the mean-vs-exact check' },
      'probe-samples': { ...value, type: 'number', coerce: lastValue<number>, default: defaultCheckSettings.probeSamples, description: 'estimates per draw of the determinism, NaN and agreement checks' },
      seed: { ...value, type: 'number', coerce: lastValue<number>, default: defaultCheckSettings.seed, description: 'seed of every draw' },
      threads: { ...value, type: 'number', coerce: lastValue<number>, default: 1, description: 'host threads of the CPU backend' },
    });
  const argv = await withUsageContract(parser, program).parse();
  for (const [name, least] of [['samples', 2], ['probe-samples', 2], ['threads', 1]] as const) {
    if (!(Number.isInteger(argv[name]) && argv[name] >= least)) throw new UsageError(`--${name} must be a whole number >= ${least}, got ${argv[name]}`);
  }
  if (!Number.isInteger(argv.seed)) throw new UsageError(`--seed must be a whole number, got ${argv.seed}`);
  if (argv.file === undefined) throw new UsageError('missing FILE: give the plug-in module to check, e.g. estibench check my-estimator.mjs');
  const file = argv.file;
  const estimators = await loadEstimatorsToCheck(file);
  const settings: CheckSettings = { ...defaultCheckSettings, samples: argv.samples, probeSamples: argv['probe-samples'], seed: argv.seed };
  const backends = await startBackends(argv.gpu, argv.threads);
  let failed = 0;
  try {
    for (const estimator of estimators) {
      const claim = estimator.claimsUnbiased ? 'claims unbiased' : 'does not claim unbiasedness';
      process.stdout.write(`${file}: estimator '${estimator.id}' (${estimator.family}; ${estimator.nodeKinds.join(', ')} nodes; ${claim})\n`);
      const verdicts = await runConformanceChecks(estimator, backends, settings);
      for (const verdict of verdicts) process.stdout.write(`  ${formatVerdict(verdict)}\n`);
      const count = (status: string) => verdicts.filter((verdict) => verdict.status === status).length;
      failed += count('fail');
      process.stdout.write(`  ${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped\n`);
    }
  } finally {
    backends.cpu.dispose();
    if (!('unavailable' in backends.gpu)) backends.gpu.dispose();
  }
  return failed > 0 ? 1 : 0;
}

if (isEntryPoint(import.meta.url)) runCommand(program, () => checkMain(hideBin(process.argv)));
