import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { steSigmoidFloorMoments } from '../../scripts/floor-ste-sigmoid.js';
import { builtInEstimators } from '../../estimators/index.js';
import { createCpuBackend } from '../../backends/cpu.js';
import { withDefaults } from '../../core/parameters.js';
import { Rng } from '../../core/rng.js';
import { toyProblem } from '../support/helpers.js';

/** The built scripts (`npm test` builds first). */
function run(script: string, args: string[]) {
  const result = spawnSync(process.execPath, [`dist/scripts/${script}`, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

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

  it('floor script refuses bad sizes with one line and exit 2', () => {
    const { code, stderr } = run('floor-ste-sigmoid.js', ['0', '8192']);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
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
