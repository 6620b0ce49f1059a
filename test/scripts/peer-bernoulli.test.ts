import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../backends/cpu.js';
import { builtInEstimators } from '../../estimators/index.js';
import { resolveConfig } from '../../harness/config.js';
import { runBenchmark } from '../../harness/runner.js';
import { builtInSuites } from '../../suites/index.js';
import { anyPython, fakePeerEnvironment, needsPeerEnvironment, peerPython, peerPythonHas } from '../support/peer-python.js';
import { expectUsageError, runCli } from '../support/run-cli.js';

const peer = 'scripts/peers/torch_bernoulli_toy.py';
/** Where the peers' environment is missing (CI may not make it), the tests that run the real peer are skipped. */
const hasTorch = peerPythonHas('torch');
const skipNote = needsPeerEnvironment(hasTorch);

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

  it('shows the peer\'s configuration (version, threads, BLAS) above the table, and ratios from its times', () => {
    const run = spawnSync(process.execPath, [
      'dist/scripts/peer-bernoulli.js', '--dims', '4', '--samples', '64', '--batches', '1', '--threads', '1', '--estimator', 'arm',
      '--torch-peer', 'test/fixtures/peers/fake_toy_peer.py', '--torch-python', anyPython,
    ], { encoding: 'utf8', env: fakePeerEnvironment, timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('- PyTorch 9.9.9+fake, 1 thread, BLAS fakeblas (oneDNN v0.0-fake, OpenMP, AVX2), loaded blas/libblas.so.3, eager\n');
    const row = run.stdout.split('\n').find((line) => line.startsWith('| 4 | 64 | 1 | arm |'))!;
    const [ours, torch, ratio] = row.split(' | ').slice(4).map((cell) => Number.parseFloat(cell));
    expect(torch).toBe(1000);
    // The ns column is shown to 3 significant digits, the ratio from the unrounded time: they agree to 0.5 %.
    expect(Math.abs(ratio - ours / 1000)).toBeLessThanOrEqual(0.005 * ratio + 0.005);
  });

  it.skipIf(!hasTorch)(`prints one row per estimator with both times and their ratio${skipNote}`, () => {
    const { code, stdout } = runCli('peer-bernoulli', ['--dims', '4', '--samples', '64', '--batches', '1', '--threads', '1', '--estimator', 'arm,multiplicative-noise']);
    expect(code).toBe(0);
    const rows = stdout.split('\n').filter((line) => /^\| 4 \| 64 \| 1 \|/.test(line));
    expect(rows.map((row) => row.split(' | ')[3])).toEqual(['arm', 'multiplicative-noise']);
    for (const row of rows) expect(row).toMatch(/\| [\d.e+]+ \| [\d.e+]+ \| \d+\.\d\d \|$/);
  });
});

describe('the PyTorch Bernoulli peer', () => {
  // The peer checks its arguments before importing torch: this holds on any machine with Python.
  it.each([[['16', '1']], [['x']], [['--check', '0']], [['1', '2', '3', '4', '5']]])('refuses %j with one line and exit 2', (args) => {
    const result = spawnSync(anyPython, [peer, ...args], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.skipIf(!hasTorch)(`prints its configuration first: exact torch version, threads and BLAS${skipNote}`, () => {
    const result = spawnSync(peerPython, [peer, '4', '64', '1', '1'], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const [configLine, resultLine] = result.stdout.trim().split('\n');
    const { peerConfig } = JSON.parse(configLine) as { peerConfig: Record<string, unknown> };
    const torchVersion = spawnSync(peerPython, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).stdout.trim();
    expect(peerConfig).toMatchObject({ framework: 'PyTorch', version: torchVersion, threads: 1 });
    expect(peerConfig.blas).toEqual(expect.any(String));
    expect(Object.keys((JSON.parse(resultLine) as { nsPerEstimate: object }).nsPerEstimate)).toHaveLength(7);
  });

  it.skipIf(!hasTorch)(`its means match each estimator expectation in closed form (--check)${skipNote}`, () => {
    const result = spawnSync(peerPython, [peer, '--check', '8', '100000'], { encoding: 'utf8' });
    expect(result.stdout.match(/: ok$/gm)).toHaveLength(7);
    expect(result.status).toBe(0);
  });

  it.skipIf(!hasTorch)(`computes the estimates estibench computes: the same per-unit means and variances${skipNote}`, async () => {
    const dim = 16;
    const samples = 200_000;
    const script = `import sys, json; sys.path.insert(0, 'scripts/peers'); import torch_bernoulli_toy as peer; print(json.dumps(peer.moments(${dim}, ${samples})))`;
    const torch = JSON.parse(spawnSync(peerPython, ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 24 }).stdout) as Record<string, { mean: number[]; variance: number[] }>;
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
