import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../backends/cpu.js';
import { builtInEstimators } from '../../estimators/index.js';
import { resolveConfig } from '../../harness/config.js';
import { runBenchmark } from '../../harness/runner.js';
import { builtInSuites } from '../../suites/index.js';
import { expectUsageError, runCli } from '../support/run-cli.js';

const peer = 'scripts/peers/torch_bernoulli_toy.py';
const python = '/usr/bin/python3';
/** Where torch is missing, the tests that run the peer have nothing to check. */
const hasTorch = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

describe('npm run peer:bernoulli', () => {
  it.each([
    [['--dims', '0'], /--dims must be whole numbers >= 1, comma-separated \(got '0'\)/],
    [['--dims', '16,x'], /--dims must be whole numbers >= 1/],
    [['--dims', '70000'], /--dims must be between 1 and 65536/],
    [['--samples', '1'], /--samples must be at least 2/],
    [['--threads', '2,0'], /--threads must be whole numbers >= 1/],
    [['--batches', '0'], /--batches must be a whole number >= 1/],
    [['--estimator', 'arm,reinmax'], /--estimator 'reinmax' is not one the peer implements/],
    [['--torch-peer', '/no/such/peer.py'], /no peer script at \/no\/such\/peer.py/],
    [['--torch-python', '/no/such/python'], /\/no\/such\/python cannot import torch/],
    [['--no-such-flag'], /Unknown argument/],
  ])('%j exits 2 with one line before running anything', (args, message) => {
    expectUsageError(runCli('peer-bernoulli', args, 120_000), message);
  });

  it.skipIf(!hasTorch)('prints one row per estimator with both times and their ratio', () => {
    const { code, stdout } = runCli('peer-bernoulli', ['--dims', '4', '--samples', '64', '--batches', '1', '--threads', '1', '--estimator', 'arm,multiplicative-noise']);
    expect(code).toBe(0);
    const rows = stdout.split('\n').filter((line) => /^\| 4 \| 64 \| 1 \|/.test(line));
    expect(rows.map((row) => row.split(' | ')[3])).toEqual(['arm', 'multiplicative-noise']);
    for (const row of rows) expect(row).toMatch(/\| [\d.e+]+ \| [\d.e+]+ \| \d+\.\d\d \|$/);
  });
});

describe('the PyTorch Bernoulli peer', () => {
  it.skipIf(!hasTorch).each([[['16', '1']], [['x']], [['--check', '0']]])('refuses %j with one line and exit 2', (args) => {
    const result = spawnSync(python, [peer, ...args], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.skipIf(!hasTorch)('its means match each estimator expectation in closed form (--check)', () => {
    const result = spawnSync(python, [peer, '--check', '8', '100000'], { encoding: 'utf8' });
    expect(result.stdout.match(/: ok$/gm)).toHaveLength(7);
    expect(result.status).toBe(0);
  });

  it.skipIf(!hasTorch)('computes the estimates estibench computes: the same per-unit means and variances', async () => {
    const dim = 16;
    const samples = 200_000;
    const script = `import sys, json; sys.path.insert(0, 'scripts/peers'); import torch_bernoulli_toy as peer; print(json.dumps(peer.moments(${dim}, ${samples})))`;
    const torch = JSON.parse(spawnSync(python, ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 24 }).stdout) as Record<string, { mean: number[]; variance: number[] }>;
    const registries = { suites: builtInSuites, estimators: builtInEstimators, backends: new Map([['cpu', () => createCpuBackend({ threads: 1 })]]) };
    const config = resolveConfig({
      backend: 'cpu', suite: 'bernoulli-toy', estimator: Object.keys(torch), samples, steps: 0, timingIterations: 0, set: [`dim=${dim}`], out: 'bench-out',
    }, registries);
    const results = await runBenchmark(config, registries);
    expect(results.cells).toHaveLength(7);
    for (const cell of results.cells) {
      if (cell.state !== 'completed') throw new Error(`${cell.estimator}: ${cell.state}`);
      const ours = { mean: cell.metrics.meanGradient!, variance: cell.metrics.varianceByUnit! };
      const theirs = torch[cell.estimator];
      for (let unit = 0; unit < dim; unit++) {
        // Independent noise streams: the means agree within 5 standard errors of their difference, and
        // the variances within 8 %: two variances of 200 000 draws differ by 1-3 % here (the most where
        // hard-sigmoid-st's q is near 0), a wrong baseline or centring by 14 % and more.
        const standardError = Math.sqrt((ours.variance[unit] + theirs.variance[unit]) / samples);
        expect(Math.abs(ours.mean[unit] - theirs.mean[unit]), `${cell.estimator} unit ${unit} mean`).toBeLessThanOrEqual(5 * standardError + 1e-7);
        expect(Math.abs(ours.variance[unit] - theirs.variance[unit]), `${cell.estimator} unit ${unit} variance`).toBeLessThanOrEqual(0.08 * ours.variance[unit] + 1e-9);
      }
    }
  });
});
