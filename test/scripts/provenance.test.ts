/** Which code made each number: plug-in provenance in results, `--resume` after a plug-in changed, and `report` naming the plug-ins. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchResults } from '../../core/types.js';
import { readResults, runCli, storeLines } from '../support/run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'estibench-provenance-'));
const quick = ['--suite', 'bernoulli-toy', '--backend', 'cpu', '--samples', '4000', '--steps', '2', '--timing-iterations', '1', '--no-report'];

/** A straight-through plug-in whose backward pass scales dL/dh by `scale`: changing the scale changes its bias. */
function writePlugin(path: string, scale: number): void {
  writeFileSync(path, `export const scaledSte = {
  id: 'scaled-ste', title: 'scaled straight-through', citation: 'test', family: 'pathwise-surrogate', claimsUnbiased: false,
  nodeKinds: ['bernoulli'], params: {}, noise: ['uniform'], evaluations: 1, needs: { objective: false, objectiveGradient: true },
  kernels: {
    forward: function scaledForward(p, u) { return u < p ? 1 : 0; },
    gradient: function scaledGradient(p, dLdh) { return ${scale} * p * (1 - p) * dLdh; },
  },
};
`);
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('provenance of every cell', () => {
  it('records the plug-in file and its hash; --resume after the plug-in changed recomputes its cells only; report names it', () => {
    const pluginPath = join(work, 'scaled-ste.mjs');
    const out = join(work, 'run');
    writePlugin(pluginPath, 1);
    const args = ['--plugin', pluginPath, '--estimator', 'scaled-ste,ste-sigmoid', ...quick, '--out', out];
    const first = runCli('bench', args);
    expect(first.code, first.stderr).toBe(0);
    const before = readResults(out);
    expect(before.config.code?.['scaled-ste']).toEqual({ origin: 'plugin', sha256: sha256(pluginPath), path: pluginPath, resolvedPath: pluginPath });
    expect(before.config.code?.['ste-sigmoid']).toMatchObject({ origin: 'built-in', version: before.env.estibench, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const cellOf = (results: BenchResults, estimator: string) => results.cells.find((cell) => cell.estimator === estimator)!;
    expect(cellOf(before, 'scaled-ste').codeSha256).toEqual({ estimator: sha256(pluginPath), suite: before.config.code?.['bernoulli-toy']?.sha256 });

    // The same kernel with the proxy derivative doubled: the plug-in's cell must be computed again.
    writePlugin(pluginPath, 2);
    const resumed = runCli('bench', [...args, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`--resume: the code of scaled-ste (${pluginPath}) changed since the earlier session; its cells are computed again`);
    expect(resumed.stderr).toMatch(/planned 2 cells; 1 already done in this directory, 1 to run/);
    const after = readResults(out);
    expect(after.run).toMatchObject({ state: 'complete', plannedCells: 2, resumedCells: 1 });
    // The built-in's cell is the earlier session's record, untouched (its wall time too); the plug-in's is new.
    expect(cellOf(after, 'ste-sigmoid')).toEqual(cellOf(before, 'ste-sigmoid'));
    const [oldCell, newCell] = [cellOf(before, 'scaled-ste'), cellOf(after, 'scaled-ste')];
    expect(newCell.key).not.toBe(oldCell.key);
    expect(newCell.codeSha256?.estimator).toBe(sha256(pluginPath));
    if (oldCell.state !== 'completed' || newCell.state !== 'completed') throw new Error('the plug-in cells should complete');
    // Doubling the estimate doubles its mean: the numbers come from the new kernel, not the old one.
    for (const [unit, mean] of oldCell.metrics.meanGradient!.entries()) expect(newCell.metrics.meanGradient![unit]).toBeCloseTo(2 * mean, 6);
    // cells.jsonl keeps both sessions' records; results.json holds the current code's cells only.
    expect(storeLines(out).filter((line) => line.kind === 'cell')).toHaveLength(3);
    expect(after.cells).toHaveLength(2);

    const report = runCli('report', ['--in', join(out, 'results.json')]);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stderr).toContain(`plug-in ${pluginPath} (sha256 ${sha256(pluginPath).slice(0, 12)}…): scaled-ste`);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/\| code \| plug-in .*scaled-ste\.mjs \(sha256 [0-9a-f]{12}…\): scaled-ste \|/);
  });

  it('report still reads results written before provenance was recorded', () => {
    const out = join(work, 'older');
    const run = runCli('bench', ['--estimator', 'ste-sigmoid', ...quick, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const results = readResults(out) as unknown as { config: Record<string, unknown>; cells: Array<Record<string, unknown>> };
    delete results.config.code;
    delete results.config.unsupportedPairs;
    for (const cell of results.cells) delete cell.codeSha256;
    const older = join(out, 'older.json');
    writeFileSync(older, JSON.stringify(results));
    const report = runCli('report', ['--in', older, '--out', join(out, 'older-report')]);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stderr).not.toContain('plug-in');
    expect(readFileSync(join(out, 'older-report', 'report.md'), 'utf8')).not.toContain('| code |');
  });
});
