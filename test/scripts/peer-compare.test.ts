import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { steSigmoidFloorMoments } from '../../scripts/floor-ste-sigmoid.js';
import { builtInEstimators } from '../../estimators/index.js';
import { createCpuBackend } from '../../backends/cpu.js';
import { withDefaults } from '../../core/parameters.js';
import { Rng } from '../../core/rng.js';
import { toyProblem } from '../support/helpers.js';
import { anyPython, fakePeerEnvironment, needsPeerEnvironment, peerPython, peerPythonHas } from '../support/peer-python.js';

/** The built scripts (`npm test` builds first). */
function run(script: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(process.execPath, [`dist/scripts/${script}`, ...args], { encoding: 'utf8', timeout: 120_000, env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const hasTorch = peerPythonHas('torch');
const hasJax = peerPythonHas('jax');

describe('npm run peer', () => {
  it.each([
    [['--dims', '0'], /--dims must be whole numbers >= 1/],
    [['--samples', '8192,x'], /--samples must be whole numbers >= 1/],
    [['--threads', '-1'], /--threads must be whole numbers >= 1/],
    [['--batches', '0'], /--batches must be a whole number >= 1/],
    [['--dims', '100000'], /--dims must be at most 65536/],
    [['--estimator', 'ste-sigmoid,nope'], /unknown estimator 'nope'/],
    [['--torch-peer', '/no/such/peer.py'], /no peer script at \/no\/such\/peer.py/],
    [['--jax-peer', '/no/such/peer.py'], /no peer script at \/no\/such\/peer.py/],
    [['--no-such-flag'], /Unknown argument/],
  ])('%j exits 2 with one line before running any peer', (args, message) => {
    const { code, stdout, stderr } = run('peer-compare.js', args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it('shows each peer\'s configuration (version, threads, BLAS) above the table', () => {
    const { code, stdout, stderr } = run('peer-compare.js', [
      '--dims', '4', '--samples', '64', '--batches', '1', '--threads', '1', '--estimator', 'ste-sigmoid', '--no-floor',
      '--torch-peer', 'test/fixtures/peers/fake_toy_peer.py', '--torch-python', anyPython,
      '--jax-peer', 'test/fixtures/peers/fake_jax_peer.py', '--jax-python', anyPython,
    ], fakePeerEnvironment);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^- PyTorch eager: PyTorch 9\.9\.9\+fake, \d+ threads?, BLAS fakeblas \(oneDNN v0\.0-fake, OpenMP, AVX2\), loaded blas\/libblas\.so\.3$/m);
    expect(stdout).toMatch(/^- JAX jit: JAX 8\.8\.8\+fake \(jaxlib 8\.8\.8\+fake, cpu, threefry2x32\), XLA's own CPU kernels on 2 core\(s\); numpy's BLAS fake-openblas 0\.1$/m);
    expect(stdout).toMatch(/^\| 4 \| 64 \| ste-sigmoid \| \S+ \| 1000 \| 500 \| - \| \d+\.\d\d \| \d+\.\d\d \| - \|$/m);
  });

  it('a Python that cannot import torch leaves the PyTorch column empty, with the reason under the table', () => {
    const { code, stdout } = run('peer-compare.js', [
      '--dims', '4', '--samples', '64', '--batches', '1', '--threads', '1', '--estimator', 'ste-sigmoid', '--no-floor',
      '--torch-python', '/no/such/python', '--jax-peer', 'test/fixtures/peers/fake_jax_peer.py', '--jax-python', anyPython,
    ], fakePeerEnvironment);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^note: PyTorch peer skipped: \/no\/such\/python cannot import torch/m);
  });

  it('floor script refuses bad sizes with one line and exit 2', () => {
    const { code, stderr } = run('floor-ste-sigmoid.js', ['0', '8192']);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the PyTorch and JAX toy peers', () => {
  // They check their arguments before importing torch or jax: this holds on any machine with Python.
  it.each([
    ['torch_toy.py', ['16', '1']], ['torch_toy.py', ['x']], ['torch_toy.py', ['1', '2', '3', '4', '5']],
    ['jax_toy.py', ['16', '1']], ['jax_toy.py', ['16', '8192', '0']], ['jax_toy.py', ['1', '2', '3', '4']],
  ])('%s refuses %j with one line and exit 2', (script, args) => {
    const result = spawnSync(anyPython, [`scripts/peers/${script}`, ...args], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.skipIf(!hasTorch)(`torch_toy.py prints its configuration, then ns per estimate of the five estimators${needsPeerEnvironment(hasTorch)}`, () => {
    const result = spawnSync(peerPython, ['scripts/peers/torch_toy.py', '4', '64', '1', '1'], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const [config, measurement] = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, Record<string, unknown>>);
    expect(config.peerConfig).toMatchObject({ framework: 'PyTorch', threads: 1, blas: expect.any(String) });
    expect(Object.keys(measurement.nsPerEstimate).sort()).toEqual(['additive-noise', 'bengio-unbiased', 'gumbel-softmax', 'ste-identity', 'ste-sigmoid']);
  });

  it.skipIf(!hasJax)(`jax_toy.py prints its configuration, then ns per estimate of the five estimators${needsPeerEnvironment(hasJax)}`, () => {
    const result = spawnSync(peerPython, ['scripts/peers/jax_toy.py', '4', '64', '1'], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const [config, measurement] = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, Record<string, unknown>>);
    expect(config.peerConfig).toMatchObject({ framework: 'JAX', backend: 'cpu', version: expect.any(String) });
    expect(Object.keys(measurement.nsPerEstimate)).toHaveLength(5);
  });
});

describe('the tight-loop floor', () => {
  it('computes exactly what the CPU backend computes for ste-sigmoid (so timing it is a fair floor)', async () => {
    const problem = toyProblem({ dim: 37 });
    const estimator = builtInEstimators.get('ste-sigmoid')!;
    const backend = await createCpuBackend({ threads: 1 });
    const cell = backend.prepare({ estimator, estimatorParams: withDefaults(estimator.params, {}), problem, batchSize: 3000 });
    const ours = await cell.estimateMoments(problem.initialLogits, new Float64Array(37), 3000, new Rng(4));
    cell.dispose();
    const floor = steSigmoidFloorMoments(problem.initialLogits, 0.45, 3000, new Rng(4));
    expect(Array.from(floor.mean)).toEqual(Array.from(ours.mean));
    expect(Array.from(floor.sumOfSquaredDeviations)).toEqual(Array.from(ours.sumOfSquaredDeviations));
  });
});
