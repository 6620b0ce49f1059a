import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../backends/cpu.js';
import type { ComputeBackend } from '../../core/backend.js';
import { builtInEstimators } from '../../estimators/index.js';
import type { CheckSettings, CheckVerdict } from '../../harness/check/check-types.js';
import { runConformanceChecks } from '../../harness/check/run-checks.js';
import { expectUsageError, runCli } from '../support/run-cli.js';

/**
 * Quick settings: 4000 estimates per point still put a biased straight-through estimator dozens of
 * standard errors from the exact gradient, while the seeded draws keep every run's numbers the same.
 */
const quick: CheckSettings = { samples: 4000, probeSamples: 512, seed: 1, sigmas: 5 };
const quickFlags = ['--samples', '4000', '--probe-samples', '512'];

const verdictOf = (verdicts: CheckVerdict[], id: string) => verdicts.find((verdict) => verdict.checkId === id)!;

describe('the conformance kit on the built-in estimators', () => {
  let cpu: ComputeBackend;
  beforeAll(async () => {
    cpu = await createCpuBackend({ threads: 1 });
  });
  afterAll(() => cpu.dispose());

  it.each([...builtInEstimators.keys()])('%s passes every check (the GPU one skipped with its reason)', async (id) => {
    const estimator = builtInEstimators.get(id)!;
    const verdicts = await runConformanceChecks(estimator, { cpu, gpu: { unavailable: 'not asked for in this test' } }, quick);
    expect(verdicts.filter((verdict) => verdict.status === 'fail')).toEqual([]);
    expect(verdictOf(verdicts, 'cpu-gpu-agreement')).toMatchObject({ status: 'skip', detail: 'not asked for in this test' });
    const mean = verdictOf(verdicts, 'mean-vs-exact');
    if (estimator.nodeKinds.some((kind) => kind === 'bernoulli' || kind === 'categorical')) {
      expect(mean.status).toBe('pass');
      expect(mean.detail).toMatch(estimator.claimsUnbiased ? /^max \|z\| \d/ : /does not claim unbiasedness .* largest bias/);
    } else {
      expect(mean.status).toBe('skip');
    }
  });
});

/** Plug-ins written to a temporary directory, outside the repository, as an author's would be. */
const brokenPlugins: Record<string, string> = {
  // The straight-through identity gradient, claimed unbiased: it is not.
  'biased.mjs': `export const claimsTooMuch = {
    id: 'claims-too-much', title: 'straight-through identity claiming unbiasedness', citation: 'test', family: 'pathwise-surrogate',
    nodeKinds: ['bernoulli'], claimsUnbiased: true, params: {}, noise: ['uniform'], evaluations: 1,
    needs: { objective: false, objectiveGradient: true },
    kernels: {
      forward: function biasedForward(p, u) { return u < p ? 1 : 0; },
      gradient: function biasedGradient(dLdh) { return dLdh; },
    },
  };`,
  // REINFORCE whose sample ignores the seeded noise.
  'random.mjs': `export const unseeded = {
    id: 'unseeded', title: 'REINFORCE sampling with Math.random', citation: 'test', family: 'score-function',
    nodeKinds: ['bernoulli'], claimsUnbiased: true, params: {}, noise: [], evaluations: 1,
    needs: { objective: true, objectiveGradient: false },
    kernels: {
      forward: function unseededForward(p) { return Math.random() < p ? 1 : 0; },
      gradient: function unseededGradient(h, p, objective) { return (h - p) * objective; },
    },
  };`,
  // A square root of the logit: NaN wherever theta < 0.
  'nan.mjs': `export const rootOfLogit = {
    id: 'root-of-logit', title: 'REINFORCE scaled by sqrt(theta)', citation: 'test', family: 'score-function',
    nodeKinds: ['bernoulli'], claimsUnbiased: false, params: {}, noise: ['uniform'], evaluations: 1,
    needs: { objective: true, objectiveGradient: false },
    kernels: {
      forward: function rootForward(p, u) { return u < p ? 1 : 0; },
      gradient: function rootGradient(theta, h, p, objective) { return (h - p) * objective * Math.sqrt(theta); },
    },
  };`,
  // A kernel argument the harness does not provide.
  'unknown-name.mjs': `export const unknownName = {
    id: 'unknown-name', title: 'reads temperature, which is no parameter', citation: 'test', family: 'pathwise-surrogate',
    nodeKinds: ['bernoulli'], claimsUnbiased: false, params: {}, noise: ['uniform'], evaluations: 1,
    needs: { objective: false, objectiveGradient: true },
    kernels: {
      forward: function unknownForward(p, u) { return u < p ? 1 : 0; },
      gradient: function unknownGradient(dLdh, temperature) { return dLdh / temperature; },
    },
  };`,
  'suite-only.mjs': `export const onlyASuite = { id: 'only-a-suite', title: 't', description: 'd', nodeKind: 'bernoulli', params: {}, create() { return {}; } };`,
  'missing-field.mjs': `export const noFamily = { id: 'no-family', title: 't', citation: 'c', nodeKinds: ['bernoulli'], claimsUnbiased: false, params: {}, noise: [], evaluations: 1,
    needs: { objective: false, objectiveGradient: true }, kernels: { forward: function f(p) { return p; }, gradient: function g(dLdh) { return dLdh; } } };`,
  'syntax-error.mjs': 'export const broken = {',
};

describe('estibench check on plug-ins outside the repository', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'estibench-check-'));
    for (const [name, source] of Object.entries(brokenPlugins)) writeFileSync(join(dir, name), source);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The verdict line of check `id` in a run's output. */
  const line = (stdout: string, id: string) => stdout.split('\n').find((text) => text.trim().split(/\s+/)[1] === id) ?? '';

  it('passes the documented example (exit 0), skipping the GPU comparison with the reason', () => {
    const run = runCli('check', ['examples/plugins/reinforce.js', ...quickFlags]);
    expect(run.code, run.stderr).toBe(0);
    expect(line(run.stdout, 'mean-vs-exact')).toMatch(/^\s+PASS .*max \|z\| \d/);
    expect(line(run.stdout, 'cpu-gpu-agreement')).toMatch(/SKIP .*--gpu/);
    expect(run.stdout).toMatch(/4 passed, 0 failed, 1 skipped/);
  });

  it('fails a biased estimator that claims to be unbiased, with its max |z| (exit 1)', () => {
    const run = runCli('check', [join(dir, 'biased.mjs'), ...quickFlags]);
    expect(run.code, run.stdout).toBe(1);
    const verdict = line(run.stdout, 'mean-vs-exact');
    expect(verdict).toMatch(/^\s+FAIL .*claims unbiased, but \d+ units beyond 5 SE: max \|z\| (\d+\.\d+)/);
    expect(Number(/max \|z\| (\d+\.\d+)/.exec(verdict)![1])).toBeGreaterThan(5);
    expect(line(run.stdout, 'determinism')).toMatch(/^\s+PASS/);
  });

  it('fails a non-deterministic estimator (Math.random in a kernel) on determinism (exit 1)', () => {
    const run = runCli('check', [join(dir, 'random.mjs'), ...quickFlags]);
    expect(run.code, run.stdout).toBe(1);
    expect(line(run.stdout, 'determinism')).toMatch(/^\s+FAIL .*unit \d+: mean .* then .* with the same seed/);
  });

  it('fails an estimator that returns NaN, naming the point (exit 1)', () => {
    const run = runCli('check', [join(dir, 'nan.mjs'), ...quickFlags]);
    expect(run.code, run.stdout).toBe(1);
    expect(line(run.stdout, 'nan-handling')).toMatch(/^\s+FAIL nan-handling\s+bernoulli node, ordinary logits: .*NaN/);
  });

  it('reports an unknown kernel argument as the harness does (exit 1)', () => {
    const run = runCli('check', [join(dir, 'unknown-name.mjs'), ...quickFlags]);
    expect(run.code, run.stdout).toBe(1);
    expect(line(run.stdout, 'shapes-and-names')).toMatch(/^\s+FAIL .*kernel parameter 'temperature' is not an argument the harness provides; available: /);
  });

  it.each([
    ['a missing file', () => join(dir, 'absent.mjs'), /cannot load plug-in/],
    ['a module that does not load', () => join(dir, 'syntax-error.mjs'), /cannot load plug-in/],
    ['a module exporting only a suite', () => join(dir, 'suite-only.mjs'), /exports no estimator \(only suites\)/],
    ['an estimator missing a field', () => join(dir, 'missing-field.mjs'), /'family' missing/],
  ])('exits 2 with one line for %s', (_what, path, message) => {
    expectUsageError(runCli('check', [path()]), message);
  });

  it('exits 2 with one line without a file or with a bad --samples', () => {
    expectUsageError(runCli('check', []), /missing FILE/);
    expectUsageError(runCli('check', ['a.mjs', 'b.mjs']), /Unknown argument: b\.mjs/);
    expectUsageError(runCli('check', ['examples/plugins/reinforce.js', '--samples', '1']), /--samples must be a whole number >= 2/);
  });
});
