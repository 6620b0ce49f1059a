import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { anyPython, fakePeerEnvironment } from '../support/peer-python.js';
import { expectUsageError, runCli } from '../support/run-cli.js';

describe('npm run peer:categorical', () => {
  it.each([
    [['--sizes', '32x1'], /--sizes must be DxK pairs, comma-separated, with 1 <= D <= 4096 and 2 <= K <= 256 \(got '32x1'\)/],
    [['--sizes', '32,256x10'], /--sizes must be DxK pairs/],
    [['--samples', '8192,x'], /--samples must be whole numbers >= 1/],
    [['--samples', '1'], /--samples must be at least 2/],
    [['--threads', '0'], /--threads must be whole numbers >= 1/],
    [['--batches', '0'], /--batches must be a whole number >= 1/],
    [['--estimator', 'reinmax,arm'], /--estimator 'arm' is not one the peer implements/],
    [['--torch-peer', '/no/such/peer.py'], /no peer script at \/no\/such\/peer.py/],
    [['--torch-python', '/no/such/python'], /\/no\/such\/python cannot import torch/],
    [['--no-such-flag'], /Unknown argument/],
  ])('%j exits 2 with one line before running anything', (args, message) => {
    expectUsageError(runCli('peer-categorical', args, 120_000), message);
  });

  // The peer checks its arguments before importing torch: this holds on any machine with Python.
  it.each([[['32', '1']], [['32', '6', '1']], [['x']], [['1', '2', '3', '4', '5', '6']]])('the PyTorch peer refuses %j with one line and exit 2', (args) => {
    const result = spawnSync(anyPython, ['scripts/peers/torch_categorical_toy.py', ...args], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('shows the peer\'s configuration above the table', () => {
    const run = spawnSync(process.execPath, [
      'dist/scripts/peer-categorical.js', '--sizes', '2x3', '--samples', '64', '--batches', '1', '--threads', '1', '--estimator', 'reinmax',
      '--torch-peer', 'test/fixtures/peers/fake_toy_peer.py', '--torch-python', anyPython,
    ], { encoding: 'utf8', env: fakePeerEnvironment, timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^- PyTorch 9\.9\.9\+fake, \d+ threads?, BLAS fakeblas \(oneDNN v0\.0-fake, OpenMP, AVX2\)/m);
    expect(run.stdout).toMatch(/^\| 2 x 3 \| 64 \| 1 \| reinmax \| \S+ \| 1000 \| \d+\.\d\d \|$/m);
  });
});
