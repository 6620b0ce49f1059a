/** Optional packages: the versions the tests ran are the ones package.json pins, and a missing one is named. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMissingPackage, missingPackageMessage, optionalPackages } from '../../core/optional-packages.js';

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
  dependencies: Record<string, string>; devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>; peerDependenciesMeta: Record<string, { optional?: boolean }>;
};

/** The error Node gives for `import(name)` from a directory where the package cannot be found. */
function importErrorOutsideTheRepository(name: string): { code: string; message: string } {
  const script = join(mkdtempSync(join(tmpdir(), 'estibench-missing-')), 'probe.mjs');
  writeFileSync(script, `try { await import(${JSON.stringify(name)}); } catch (error) { console.log(JSON.stringify({ code: error.code, message: error.message })); }`);
  return JSON.parse(spawnSync(process.execPath, [script], { encoding: 'utf8' }).stdout) as { code: string; message: string };
}

describe('optional packages', () => {
  it.each(Object.values(optionalPackages))('$name is an optional peer pinned to the version the tests ran, never a dependency', (optional) => {
    expect(manifest.peerDependencies[optional.name]).toBe(optional.version);
    expect(manifest.peerDependenciesMeta[optional.name]).toEqual({ optional: true });
    expect(manifest.devDependencies[optional.name]).toBe(optional.version);
    expect(manifest.dependencies[optional.name]).toBeUndefined();
    const installed = JSON.parse(readFileSync(join('node_modules', optional.name, 'package.json'), 'utf8')) as { version: string };
    expect(installed.version).toBe(optional.version);
    expect(optional.install).toContain(`${optional.name}@${optional.version}`);
  });

  it('recognises Node\'s error for a package that is not installed, and only for that package', () => {
    const error = importErrorOutsideTheRepository('gpu.js');
    expect(error.code).toBe('ERR_MODULE_NOT_FOUND');
    expect(isMissingPackage(error, 'gpu.js')).toBe(true);
    expect(isMissingPackage(error, 'onnxruntime-node')).toBe(false);
    expect(isMissingPackage(new Error("Cannot find package 'gpu.js'"), 'gpu.js')).toBe(false); // no code: some other failure
    expect(missingPackageMessage('gpu.js')).toBe('the gpu backend (--backend gpu) needs the package gpu.js, which is not installed; add it with: npm install gpu.js@2.24.1');
  });
});
