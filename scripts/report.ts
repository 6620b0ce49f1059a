#!/usr/bin/env node
/**
 * Re-renders the charts, report.md and summary.md from a saved results.json, without recomputing,
 * and optionally compares it with a baseline results.json.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { errorMessage, UsageError } from '../harness/errors.js';
import type { BenchResults } from '../harness/types.js';
import { compareDefaults, compareResults, incompatibility, regressionLines, renderComparison, renderComparisonText } from '../reports/compare.js';
import { createDocumentReporters } from '../reports/index.js';
import { lastValue, runCommand, withUsageContract } from './cli.js';


/** Reads and sanity-checks a results.json; any problem is a UsageError naming the flag and file. */
async function readResults(path: string, flag: string): Promise<BenchResults> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : errorMessage(error);
    throw new UsageError(`cannot read ${flag} '${path}': ${reason}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${flag} '${path}' is not valid JSON: ${errorMessage(error)}`);
  }
  const candidate = parsed as Partial<BenchResults> | null;
  if (typeof candidate !== 'object' || candidate === null || candidate.schemaVersion === undefined || !Array.isArray(candidate.cells) || !candidate.config || !candidate.env) {
    throw new UsageError(`${flag} '${path}' is not an estibench results.json (no schemaVersion, config, env or cells); write one with npm run bench`);
  }
  return candidate as BenchResults;
}

async function main(): Promise<number> {
  const parser = yargs(hideBin(process.argv))
    .scriptName('estibench-report')
    .usage('$0 --in results.json [--out DIR] [--baseline old.json [--fail-on-regression]]\n\nRenders charts (PNG), report.md and summary.md from a results.json without recomputing.')
    .options({
      in: { type: 'string', coerce: lastValue<string>, description: 'results.json written by npm run bench' },
      out: { type: 'string', coerce: lastValue<string>, description: 'output directory (default: the directory of --in)' },
      baseline: { type: 'string', coerce: lastValue<string>, description: 'results.json of an earlier run to compare with (same options)' },
      'fail-on-regression': { type: 'boolean', default: false, description: 'exit 1 when a score got worse beyond its noise (or timing beyond the tolerance)' },
      'noise-k': { type: 'number', coerce: lastValue<number>, default: compareDefaults.noiseK, description: 'a score changed when |new - old| > k x combined standard error' },
      'timing-tolerance': { type: 'number', coerce: lastValue<number>, default: compareDefaults.timingTolerance, description: 'relative slow-down of ns per estimate that counts as a regression (0.5 = 50%)' },
    });
  const argv = await withUsageContract(parser, 'estibench report').parse();

  const noiseK = argv['noise-k'];
  const timingTolerance = argv['timing-tolerance'];
  if (!(noiseK > 0)) throw new UsageError(`--noise-k must be a positive number, got ${noiseK}`);
  if (!(timingTolerance >= 0)) throw new UsageError(`--timing-tolerance must be a number >= 0, got ${timingTolerance}`);
  if (!argv.in) throw new UsageError('missing --in: give the results.json to render, e.g. npm run report -- --in bench-out/results.json');
  const results = await readResults(argv.in, '--in');
  const outDir = resolve(argv.out ?? dirname(argv.in));
  const sections: string[] = [];
  let regressions = 0;
  if (argv.baseline) {
    const baseline = await readResults(argv.baseline, '--baseline');
    const reason = incompatibility(results, baseline);
    if (reason) throw new UsageError(`cannot compare with baseline '${argv.baseline}': ${reason}; rerun with the baseline's options or refresh the baseline`);
    const comparison = compareResults(results, baseline, { noiseK, timingTolerance });
    if (comparison.comparedCells === 0) throw new UsageError(`cannot compare with baseline '${argv.baseline}': no completed cell (suite / estimator / backend) in common`);
    sections.push(renderComparison(comparison));
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, 'comparison.md'), sections[0]);
    process.stdout.write(renderComparisonText(comparison));
    for (const line of regressionLines(comparison)) process.stderr.write(`${line}\n`);
    regressions = comparison.regressions.length;
  }
  for (const reporter of createDocumentReporters(sections).values()) {
    for (const path of await reporter.report(results, outDir)) process.stderr.write(`wrote ${path}\n`);
  }
  return argv['fail-on-regression'] && regressions > 0 ? 1 : 0;
}

runCommand('estibench report', main);
