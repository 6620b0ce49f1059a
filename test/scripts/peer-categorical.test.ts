import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
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

  it('the PyTorch peer refuses bad sizes with one line and exit 2', () => {
    const result = spawnSync('/usr/bin/python3', ['scripts/peers/torch_categorical_toy.py', '32', '1'], { encoding: 'utf8' });
    // Where Python is missing there is nothing to check.
    if (result.error) return;
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
