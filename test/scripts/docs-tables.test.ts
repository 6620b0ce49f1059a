import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defineEstimator } from '../../core/estimator.js';
import { builtInEstimators } from '../../estimators/index.js';
import { steSigmoid } from '../../estimators/ste-sigmoid.js';
import { builtInTables, estimatorTable, replaceTables, suiteTable } from '../../scripts/docs-tables.js';
import { builtInSuites } from '../../suites/index.js';

const readme = readFileSync('README.md', 'utf8');

describe('README tables generated from the registries', () => {
  it('README.md holds exactly the tables the registries give (run npm run docs:tables after adding an estimator or suite)', () => {
    expect(replaceTables(readme, builtInTables())).toBe(readme);
  });

  it('has one row per registered estimator and suite, with node kinds, unbiasedness claim and reference', () => {
    const estimators = estimatorTable(builtInEstimators).split('\n').slice(2);
    expect(estimators).toHaveLength(builtInEstimators.size);
    const arm = estimators.find((row) => row.startsWith('| `arm` |'));
    expect(arm).toContain('| bernoulli | yes | 2 |');
    const suites = suiteTable(builtInSuites).split('\n').slice(2);
    expect(suites).toHaveLength(builtInSuites.size);
    expect(suites.find((row) => row.includes('`mnist-quantized-mlp`'))).toContain('none (no gradient scores)');
  });

  it('a registry with one more estimator no longer matches the README', () => {
    const extra = defineEstimator({ ...steSigmoid, id: 'my-extra-estimator', title: 'An extra estimator' });
    const registry = new Map([...builtInEstimators, [extra.id, extra]]);
    const tables = { ...builtInTables(), estimators: estimatorTable(registry) };
    expect(replaceTables(readme, tables)).not.toBe(readme);
    expect(replaceTables(readme, tables)).toContain('| `my-extra-estimator` | An extra estimator |');
  });

  it('refuses a document without the markers', () => {
    expect(() => replaceTables('# no markers here\n', builtInTables())).toThrow(/lacks the markers <!-- estimators:start -->/);
  });

  it('the built script agrees: --check exits 0 on this README', () => {
    const run = spawnSync(process.execPath, ['dist/scripts/docs-tables.js', '--check'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
