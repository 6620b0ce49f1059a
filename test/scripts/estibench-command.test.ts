/**
 * The one `estibench` bin (bin/estibench.js, as npm links it): subcommands, --version, list, merge,
 * TypeScript plug-ins, and the bad-input contract for what is new.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchResults } from '../../core/types.js';
import { builtInEstimators } from '../../estimators/index.js';
import { mergeArguments } from '../../scripts/merge.js';
import { builtInSuites } from '../../suites/index.js';
import { expectUsageError, type CliRun } from '../support/run-cli.js';

function estibench(args: readonly string[]): CliRun {
  const run = spawnSync(process.execPath, ['bin/estibench.js', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const packageVersion = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const tinyBench = ['--suite', 'bernoulli-toy', '--backend', 'cpu', '--samples', '200', '--steps', '0', '--timing-iterations', '0', '--no-report'];

describe('estibench command', () => {
  it('prints the package version with --version', () => {
    const run = estibench(['--version']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${packageVersion}\n`);
  });

  it('lists its commands with --help, and passes --help after a command to that command', () => {
    const overview = estibench(['--help']);
    expect(overview.code).toBe(0);
    for (const command of ['bench', 'report', 'merge', 'list']) expect(overview.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    const benchHelp = estibench(['bench', '--help']);
    expect(benchHelp.stdout).toMatch(/--samples/);
    const reportHelp = estibench(['report', '--help']);
    expect(reportHelp.stdout).toMatch(/^estibench report --in results\.json/m);
    expect(reportHelp.stdout).not.toMatch(/estibench-report/);
  });

  it.each([
    [['frobnicate'], /^estibench: unknown command 'frobnicate'; the commands are bench, report, merge, list/],
    [['list', '--plugin', 'test/fixtures/plugins/not-a-module.py'], /cannot load plug-in '.*not-a-module\.py': '\.py' files are not a module estibench loads; give a JavaScript \(.js, .mjs, .cjs\) or TypeScript \(.ts, .mts, .cts\) file/],
    [['bench', '--plugin', 'test/fixtures/plugins/not-a-module.py'], /'\.py' files are not a module estibench loads/],
    [['merge', '--out', 'never'], /merge needs the output directories of the shards/],
    [['merge', 'a', '--in', 'b'], /merge takes the directories to merge as arguments/],
    [['list', '--no-such-flag'], /Unknown argument/],
  ])('%j exits 2 with one line and no stack trace', (args, message) => {
    const run = estibench(args);
    expectUsageError(run, message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('lists every built-in estimator and suite with node kinds, parameters, defaults, ranges, citations and claims', () => {
    const run = estibench(['list', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const listed = JSON.parse(run.stdout) as {
      estimators: Array<{ id: string; citation: string; nodeKinds: string[]; claimsUnbiased: boolean; evaluations: number; params: Array<{ name: string; default: unknown; range: string | null }> }>;
      suites: Array<{ id: string; nodeKind: string; inDefaultRun: boolean; params: Array<{ name: string; default: unknown }> }>;
    };
    expect(listed.estimators.map((estimator) => estimator.id)).toEqual([...builtInEstimators.keys()]);
    expect(listed.suites.map((suite) => suite.id)).toEqual([...builtInSuites.keys()]);
    for (const estimator of listed.estimators) {
      const definition = builtInEstimators.get(estimator.id)!;
      expect(estimator).toMatchObject({ citation: definition.citation, nodeKinds: [...definition.nodeKinds], claimsUnbiased: definition.claimsUnbiased });
      expect(estimator.params.map((param) => [param.name, param.default])).toEqual(Object.entries(definition.params).map(([name, spec]) => [name, spec.default]));
    }
    const gumbel = listed.estimators.find((estimator) => estimator.id === 'gumbel-softmax')!;
    expect(gumbel.params.find((param) => param.name === 'tau')?.range).toBe('(0, inf)');
    expect(listed.estimators.find((estimator) => estimator.id === 'reinforce-loo')?.evaluations).toBeGreaterThan(1);
    for (const suite of listed.suites) expect(suite.nodeKind).toBe(builtInSuites.get(suite.id)!.nodeKind);

    const text = estibench(['list']);
    expect(text.code).toBe(0);
    for (const id of [...builtInEstimators.keys(), ...builtInSuites.keys()]) expect(text.stdout).toMatch(new RegExp(`^  ${id}: `, 'm'));
  });

  it('loads a TypeScript plug-in that imports from \'estibench\', without a build step, and runs it', () => {
    const plugin = 'test/fixtures/plugins/reinforce-plain.ts';
    const listed = estibench(['list', '--json', '--plugin', plugin]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).estimators.map((estimator: { id: string }) => estimator.id)).toContain('reinforce-plain');

    const out = mkdtempSync(join(tmpdir(), 'estibench-ts-plugin-'));
    const run = estibench(['--plugin', plugin, '--estimator', 'reinforce-plain', ...tinyBench, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchResults;
    expect(results.cells.map((cell) => [cell.estimator, cell.state])).toEqual([['reinforce-plain', 'completed']]);
  });

  it('merges shards with `merge DIR... --out DIR` exactly as `report --merge` does', () => {
    const work = mkdtempSync(join(tmpdir(), 'estibench-merge-'));
    const shards = ['1/2', '2/2'].map((shard, index) => {
      const out = join(work, `shard-${index + 1}`);
      const run = estibench(['bench', ...tinyBench, '--estimator', 'ste-identity,bengio-unbiased,gumbel-softmax', '--shard', shard, '--out', out]);
      expect(run.code, run.stderr).toBe(0);
      return out;
    });
    const merged = estibench(['merge', ...shards, '--out', join(work, 'merged')]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stderr).toMatch(/merged 2 runs: all 3 planned cells present/);
    const viaReport = estibench(['report', '--merge', ...shards, '--out', join(work, 'via-report')]);
    expect(viaReport.code, viaReport.stderr).toBe(0);
    const cells = (dir: string) => (JSON.parse(readFileSync(join(work, dir, 'results.json'), 'utf8')) as BenchResults).cells;
    expect(cells('merged')).toEqual(cells('via-report'));
    expect(cells('merged')).toHaveLength(3);
  });

  it('splits merge arguments into directories and the flags report takes', () => {
    expect(mergeArguments(['a', '--out', 'm', 'b', '--baseline', 'old.json', '--fail-on-regression'])).toEqual({
      directories: ['a', 'b'], flags: ['--out', 'm', '--baseline', 'old.json', '--fail-on-regression'],
    });
  });
});
