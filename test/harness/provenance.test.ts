import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInBackends } from '../../backends/index.js';
import { defineEstimator, type EstimatorDefinition } from '../../core/estimator.js';
import type { BenchConfig, Registries } from '../../core/types.js';
import { builtInEstimators } from '../../estimators/index.js';
import { configFingerprint, numericSettings, stableHash, workKey } from '../../harness/cell-key.js';
import { resolveConfig } from '../../harness/config.js';
import { packageVersion } from '../../harness/package-info.js';
import { planRun } from '../../harness/plan.js';
import { changedCode, codeProvenance, definitionSource, pluginSource, resumeCodeLine, withPluginSource } from '../../harness/provenance.js';
import { builtInSuites } from '../../suites/index.js';

const steSigmoid = builtInEstimators.get('ste-sigmoid')!;
/** ste-sigmoid with its backward kernel's body changed (twice the proxy derivative). */
const doubled: EstimatorDefinition = defineEstimator({
  ...steSigmoid,
  kernels: { ...steSigmoid.kernels, gradient: function doubledGradient(p: number, dLdh: number) { return 2 * p * (1 - p) * dLdh; } },
});
const registries = (estimator: EstimatorDefinition): Registries => ({
  suites: builtInSuites, estimators: new Map([...builtInEstimators, [estimator.id, estimator]]), backends: builtInBackends,
});
const resolve = (estimator: EstimatorDefinition) =>
  resolveConfig({ suite: 'bernoulli-toy', estimator: 'ste-sigmoid,ste-identity', backend: 'cpu', out: '/tmp/estibench-provenance-unit' }, registries(estimator));

describe('code provenance', () => {
  it('hashes a built-in definition with estibench\'s version and its functions\' source', () => {
    const entry = codeProvenance('ste-sigmoid', registries(steSigmoid));
    const expected = createHash('sha256').update(`estibench ${packageVersion()}\n${definitionSource(steSigmoid)}`).digest('hex');
    expect(entry).toEqual({ origin: 'built-in', version: packageVersion(), sha256: expected });
    expect(definitionSource(steSigmoid)).toContain(steSigmoid.kernels.gradient.toString());
    // Key order does not matter; a changed kernel does.
    expect(definitionSource({ b: 1, a: [2, 'x'] })).toBe(definitionSource({ a: [2, 'x'], b: 1 }));
    expect(codeProvenance('ste-sigmoid', registries(doubled)).sha256).not.toBe(expected);
    expect(codeProvenance('ste-sigmoid', registries(steSigmoid), '9.9.9').sha256).not.toBe(expected);
  });

  it('records a plug-in by its path and the SHA-256 of its file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'estibench-plugin-source-')), 'plugin.mjs');
    writeFileSync(path, 'export const x = 1;\n');
    const withSource = withPluginSource(registries(steSigmoid), ['ste-sigmoid'], pluginSource(path));
    expect(codeProvenance('ste-sigmoid', withSource)).toEqual({
      origin: 'plugin', path, resolvedPath: path, sha256: createHash('sha256').update('export const x = 1;\n').digest('hex'),
    });
  });

  it('changes the keys of the changed code\'s cells only, and not the fingerprint a resume checks', () => {
    const [before, after] = [resolve(steSigmoid), resolve(doubled)];
    expect(configFingerprint(after)).toBe(configFingerprint(before));
    const keys = (config: BenchConfig) => new Map(planRun(config).map((work) => [work.estimator, work.key]));
    const [old, now] = [keys(before), keys(after)];
    expect(now.get('ste-sigmoid')).not.toBe(old.get('ste-sigmoid'));
    expect(now.get('ste-identity')).toBe(old.get('ste-identity'));
    expect(changedCode(after, before)).toEqual(['ste-sigmoid']);
    expect(resumeCodeLine(after, before)).toBe('--resume: the code of ste-sigmoid (built-in) changed since the earlier session; its cells are computed again');
    expect(resumeCodeLine(before, before)).toBeNull();
  });

  it('keeps the keys of configurations written before code was recorded', () => {
    const config = resolve(steSigmoid);
    const { code: _code, ...older } = config;
    const work = planRun(config)[0];
    const identity = { kind: work.kind, suite: work.suite, suiteParams: work.suiteParams, estimator: work.estimator, estimatorParams: work.estimatorParams, backend: work.backend, seed: work.seed };
    // The key as it was computed before code hashes existed: the same cell, the same key.
    expect(workKey(identity, older)).toBe(stableHash({ ...identity, settings: numericSettings(older) }));
    expect(workKey(identity, older)).not.toBe(work.key);
    expect(planRun(older)[0].key).toBe(workKey(identity, older));
    expect(resumeCodeLine(config, {})).toMatch(/recorded no code hashes .*every cell is computed again/);
  });
});
