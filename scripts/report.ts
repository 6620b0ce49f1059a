#!/usr/bin/env node
/**
 * Re-renders the charts, report.md and summary.md from a saved results.json without recomputing,
 * merges the runs of shards into one (`--merge DIR...`), and optionally compares with a baseline.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UsageError } from '../core/errors.js';
import { mergeRuns } from '../harness/merge.js';
import { prepareOutputDirectory } from '../harness/output-dir.js';
import { readResultsFile } from '../harness/results-file.js';
import type { BenchResults } from '../core/types.js';
import { compareDefaults, compareResults, incompatibility, regressionLines, renderComparison, renderComparisonText } from '../reports/compare.js';
import { renderConsoleTable } from '../reports/console-table.js';
import { createDocumentReporters } from '../reports/index.js';
import { pluginLines } from '../reports/provenance.js';
import { resultsCsvReporter } from '../reports/results-csv.js';
import { resultsJsonReporter } from '../reports/results-json.js';
import { isEntryPoint, lastValue, rejectEmptyValues, runCommand, withUsageContract } from './cli.js';

/** The results to report on: one results.json (`--in`), or shards merged (`--merge`), with where the reports go. */
async function inputResults(argv: { in?: string; merge?: string[]; out?: string }): Promise<{ results: BenchResults; outDir: string; merged: boolean }> {
  if (argv.in && argv.merge) throw new UsageError('give --in or --merge, not both');
  if (argv.merge) {
    if (!argv.out) throw new UsageError('--merge needs --out: the directory for the merged results.json and reports');
    return { results: await mergeRuns(argv.merge), outDir: resolve(argv.out), merged: true };
  }
  if (!argv.in) throw new UsageError('missing --in: give the results.json to render, e.g. npm run report -- --in bench-out/results.json (or --merge DIR... to merge shards)');
  return { results: await readResultsFile(argv.in, `--in '${argv.in}'`), outDir: resolve(argv.out ?? dirname(argv.in)), merged: false };
}

/** Runs the command with its arguments (without the program name); `estibench` dispatches here. */
export async function reportMain(args: string[]): Promise<number> {
  rejectEmptyValues('estibench report', args);
  const value = { requiresArg: true } as const;
  const parser = yargs(args)
    .scriptName('estibench report')
    .usage('$0 --in results.json [--out DIR] [--baseline old.json [--fail-on-regression]]\nestibench merge DIR1 DIR2 ... --out DIR   (also: $0 --merge DIR1 DIR2 ... --out DIR)\n\n' +
      'Renders charts (PNG), report.md, summary.md and results.csv from a results.json without recomputing, or merges the runs of shards.')
    .options({
      in: { ...value, type: 'string', coerce: lastValue<string>, description: 'results.json written by estibench bench (npm run bench)' },
      merge: { ...value, type: 'string', array: true, description: 'output directories (or results.json files) of shards of one grid, merged into --out/results.json; exit 1 when planned cells are missing' },
      out: { ...value, type: 'string', coerce: lastValue<string>, description: 'output directory (default: the directory of --in)' },
      baseline: { ...value, type: 'string', coerce: lastValue<string>, description: 'results.json of an earlier run to compare with (same options)' },
      'fail-on-regression': { type: 'boolean', default: false, description: 'exit 1 when a score got worse beyond its noise (or timing beyond the tolerance and its spread), or a completed cell now errors' },
      'noise-k': { ...value, type: 'number', coerce: lastValue<number>, default: compareDefaults.noiseK, description: 'a score changed when |new - old| > k x combined standard error' },
      'timing-tolerance': { ...value, type: 'number', coerce: lastValue<number>, default: compareDefaults.timingTolerance, description: 'relative slow-down of ns per estimate that counts as a regression (0.5 = 50%)' },
    });
  const argv = await withUsageContract(parser, 'estibench report').parse();

  const noiseK = argv['noise-k'];
  const timingTolerance = argv['timing-tolerance'];
  if (!(noiseK > 0)) throw new UsageError(`--noise-k must be a positive number, got ${noiseK}`);
  if (!(timingTolerance >= 0)) throw new UsageError(`--timing-tolerance must be a number >= 0, got ${timingTolerance}`);
  const { results, outDir, merged } = await inputResults(argv);
  // Which plug-in modules produced these results (report.md lists them with the built-ins).
  for (const line of pluginLines(results)) process.stderr.write(`${line}\n`);
  await prepareOutputDirectory(outDir);
  const sections: string[] = [];
  let regressions = 0;
  if (argv.baseline) {
    const baseline = await readResultsFile(argv.baseline, `--baseline '${argv.baseline}'`);
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
  if (merged) {
    process.stdout.write(`${renderConsoleTable(results)}\n`);
    for (const path of await resultsJsonReporter.report(results, outDir)) process.stderr.write(`wrote ${path}\n`);
  }
  // results.csv is rebuilt with the documents, so that results of older versions get one too.
  for (const reporter of [resultsCsvReporter, ...createDocumentReporters(sections).values()]) {
    for (const path of await reporter.report(results, outDir)) process.stderr.write(`wrote ${path}\n`);
  }
  const missing = results.run.missingCells;
  if (merged) {
    const sources = results.run.mergedFrom?.length ?? 0;
    process.stderr.write(missing.length > 0
      ? `estibench report: merged ${sources} runs; ${missing.length} of ${results.run.plannedCells} planned cells are missing (exit status 1): ${missing.join('; ')}\n`
      : `estibench report: merged ${sources} runs: all ${results.run.plannedCells} planned cells present\n`);
  }
  if (merged && missing.length > 0) return 1;
  return argv['fail-on-regression'] && regressions > 0 ? 1 : 0;
}

if (isEntryPoint(import.meta.url)) runCommand('estibench report', () => reportMain(hideBin(process.argv)));
