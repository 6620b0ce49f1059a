import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { anyPython, fakePeerEnvironment, needsPeerEnvironment, peerPython, peerPythonHas } from '../support/peer-python.js';

/** `npm run peer:network` (built: `npm test` builds first). */
function peerNetwork(args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  const run = spawnSync(process.execPath, ['dist/scripts/peer-network.js', ...args], { encoding: 'utf8', timeout: 300_000, env });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const hasTorch = peerPythonHas('torch');

describe('npm run peer:network', () => {
  it.each([
    [['--suite', 'bernoulli-toy'], /unknown --suite 'bernoulli-toy'; valid: mnist-quantized-mlp, mnist-binary-vae, mnist-categorical-vae/],
    [['--rounds', '0'], /--rounds must be a whole number >= 1/],
    [['--steps', '1.5'], /--steps must be a whole number >= 1/],
    [['--threads', '0'], /--threads must be a whole number >= 1/],
    [['--estimator', 'nope'], /unknown estimator 'nope'/],
    [['--suite', 'mnist-binary-vae', '--estimator', 'arm'], /the mnist-binary-vae peers implement disarm, rebar, relax only/],
    [['--suite', 'mnist-binary-vae', '--estimator', 'rebar', '--compile'], /the mnist-binary-vae peer of rebar has no torch\.compile'd form/],
    [['--peer', '/no/such/peer.py'], /no peer script at \/no\/such\/peer.py/],
    [['--python', '/no/such/python'], /\/no\/such\/python cannot import torch/],
    [['--no-such-flag'], /Unknown argument/],
    [['--precision', 'float16'], /Invalid values: Argument: precision, Given: "float16"/],
  ])('%j exits 2 with one line before running anything', (args, message) => {
    const { code, stdout, stderr } = peerNetwork(args);
    expect(code, stderr).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it('shows the peer\'s configuration and each round\'s ratio, eager and compiled, on the same threads', () => {
    const { code, stdout, stderr } = peerNetwork([
      '--rounds', '2', '--steps', '2', '--threads', '1', '--compile', '--peer', 'test/fixtures/peers/fake_network_peer.py', '--python', anyPython,
    ], fakePeerEnvironment);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('both sides on 1 thread(s)');
    // The suite's own choice (float32 training) unless --precision says otherwise.
    expect(stdout).toMatch(/^- estibench cpu: .*, 1 thread\(s\), trained in float32$/m);
    // The fake peer reports the thread count it was handed: the configuration line shows the peer got 1.
    expect(stdout).toMatch(/^- peer: PyTorch 9\.9\.9\+fake, 1 thread, BLAS fakeblas \(MKL 2099\.1, OpenMP, AVX2\); test\/fixtures\/peers\/fake_network_peer\.py$/m);
    const rows = stdout.split('\n').filter((line) => /^[12] {2}/.test(line));
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const [, ours, eager, , eagerRatio, compiled, compiledRatio] = row.trim().split(/\s{2,}/);
      expect(Number(eager)).toBe(4);
      expect(Number(compiled)).toBe(2);
      expect(Number.parseFloat(eagerRatio)).toBeCloseTo(Number(ours) / 4, 1);
      expect(Number.parseFloat(compiledRatio)).toBeCloseTo(Number(ours) / 2, 1);
    }
    expect(stdout).toMatch(/median ratio estibench \/ pytorch eager \d+\.\d\d× .*; estibench \/ torch\.compile \d+\.\d\d×/);
  });
});

describe('the PyTorch network peers', () => {
  // They check their arguments before importing torch: this holds on any machine with Python.
  it.each([
    ['torch_mlp.py', ['0']], ['torch_mlp.py', ['1', '100', '200', '2', '9']], ['torch_mlp.py', ['--fast']],
    ['torch_vae.py', ['x']], ['torch_vae.py', ['50', '200', '2', '1']], ['torch_categorical_vae.py', ['100', '0']],
    ['torch_vae_rebar.py', []], ['torch_vae_rebar.py', ['50']], ['torch_vae_rebar.py', ['disarm', '50']], ['torch_vae_rebar.py', ['rebar', '50', '200', '2', '1']],
    ['torch_vae_rebar.py', ['rebar', '--compile']], ['torch_vae_rebar.py', ['--check', '99']],
  ])('%s refuses %j with one line and exit 2', (script, args) => {
    const result = spawnSync(anyPython, [`scripts/peers/${script}`, ...args], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.skipIf(!hasTorch).each([
    ['torch_mlp.py', ['1', '8', '2', '1']], ['torch_vae.py', ['4', '2', '1']], ['torch_categorical_vae.py', ['4', '2', '1']],
    ['torch_vae_rebar.py', ['rebar', '4', '2', '1']], ['torch_vae_rebar.py', ['relax', '4', '2', '1']],
  ])(`%s prints its configuration, then its step time, on the threads it is given${needsPeerEnvironment(hasTorch)}`, (script, args) => {
    const result = spawnSync(peerPython, [`scripts/peers/${script}`, ...args], { encoding: 'utf8', timeout: 120_000 });
    expect(result.status, result.stderr).toBe(0);
    const [config, measurement] = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(config.peerConfig).toMatchObject({ framework: 'PyTorch', threads: 1, blas: expect.any(String) });
    expect(measurement).toMatchObject({ threads: 1, compiled: false, msPerStep: expect.any(Number), msPerStepMin: expect.any(Number) });
  });

  // The expectation is derived in the peer's check independently of its estimators (enumeration of the
  // latent states): REBAR at four (η, λ) including η = 0, RELAX at two; the old form (explicit term
  // averaged over the relaxed evaluations too) must miss where its bias, by quadrature, is ≥ 10 SE.
  it.skipIf(!hasTorch)(`torch_vae_rebar.py --check: the mean REBAR and RELAX steps on a small VAE equal the exact gradient within 5 standard errors, and the old averaged form misses${needsPeerEnvironment(hasTorch)}`, () => {
    const result = spawnSync(peerPython, ['scripts/peers/torch_vae_rebar.py', '--check', '100000'], { encoding: 'utf8', timeout: 120_000 });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.filter((line) => / ok$/.test(line))).toHaveLength(6);
    expect(lines.filter((line) => /\(missed, must miss\)/.test(line)).length).toBeGreaterThan(0);
  });
});
