import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtInEstimators } from '../../estimators/index.js';
import { gradientScores } from '../../core/types.js';
import { readResults, runCli } from '../support/run-cli.js';

const quick = ['--backend', 'cpu', '--samples', '3000', '--steps', '2', '--train-seeds', '1', '--timing-iterations', '1', '--no-report'];

describe('npm run bench -- --suite onnx --set onnx.model=…', () => {
  const directories: string[] = [];
  const outDir = () => {
    const directory = mkdtempSync(join(tmpdir(), 'estibench-onnx-cli-'));
    directories.push(directory);
    return directory;
  };
  afterAll(() => directories.forEach((directory) => rmSync(directory, { recursive: true, force: true })));

  it('runs every estimator on a fixture with grad, scored against the enumerated gradient', () => {
    const out = outDir();
    const run = runCli('bench', ['--suite', 'onnx', '--set', 'onnx.model=test/fixtures/onnx/bernoulli-toy-grad.onnx', ...quick, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const { cells } = readResults(out);
    // Estimators without Bernoulli kernels are left out of the plan by node kind, as on bernoulli-toy.
    expect(cells.map((cell) => cell.estimator)).toEqual([...builtInEstimators.keys()].filter((id) => builtInEstimators.get(id)!.nodeKinds.includes('bernoulli')));
    for (const cell of cells) {
      expect(cell.state, 'error' in cell ? cell.error : '').toBe('completed');
      if (cell.state === 'completed') expect(gradientScores(cell.metrics)?.referenceKind).toBe('enumeration');
      expect(cell.suiteParams).toMatchObject({ model: 'test/fixtures/onnx/bernoulli-toy-grad.onnx', provider: 'cpu' });
      expect(cell.problemParams?.modelSha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('fails only the cells of a bad model, each with one line, and exits 1', () => {
    const out = outDir();
    const run = runCli('bench', ['--suite', 'bernoulli-toy,onnx', '--estimator', 'arm,ste-sigmoid', '--set', 'onnx.model=test/fixtures/onnx/broken-nan.onnx', ...quick, '--out', out]);
    expect(run.code, run.stderr).toBe(1);
    const states = readResults(out).cells.map((cell) => [cell.suite, cell.estimator, cell.state, 'error' in cell ? cell.error : '']);
    expect(states).toEqual([
      ['bernoulli-toy', 'arm', 'completed', ''],
      ['bernoulli-toy', 'ste-sigmoid', 'completed', ''],
      ['onnx', 'arm', 'errored', expect.stringMatching(/^model '.*broken-nan\.onnx' returned loss = NaN for h = \[0, 0, 0, 0\]; the objective must be finite[^\n]*$/)],
      ['onnx', 'ste-sigmoid', 'unsupported', expect.stringMatching(/needs dL\/dh and model '.*broken-nan\.onnx' has no output grad/)],
    ]);
  });

  it('refuses an unknown execution provider with one line and exit 2', () => {
    const run = runCli('bench', ['--suite', 'onnx', '--set', 'onnx.provider=tpu', '--out', join(tmpdir(), 'estibench-never-written')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/provider: must be one of cpu, cuda, webgpu, got 'tpu'/);
  });
});
