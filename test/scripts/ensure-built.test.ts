/** The launcher's build check: tsc runs only when a source is newer than its compiled file. */
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { staleReason } from '../../bin/ensure-built.js';

/** A checkout with one source folder, built at time 1000 s unless a file says otherwise. */
function checkout(files: Record<string, number>): string {
  const root = mkdtempSync(join(tmpdir(), 'estibench-ensure-built-'));
  for (const [path, seconds] of Object.entries({ 'tsconfig.json': 500, ...files })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), path === 'tsconfig.json' ? JSON.stringify({ compilerOptions: { outDir: 'dist' }, include: ['core', 'scripts'] }) : '');
    utimesSync(join(root, path), seconds, seconds);
  }
  return root;
}

describe('ensure-built staleReason', () => {
  it('is null when every source has a compiled file at least as new', () => {
    expect(staleReason(checkout({ 'core/a.ts': 900, 'core/a.d.ts': 2000, 'scripts/estibench.ts': 900, 'dist/core/a.js': 1000, 'dist/scripts/estibench.js': 1000 }))).toBeNull();
  });

  it('names the first source newer than its compiled file, or one without a compiled file', () => {
    expect(staleReason(checkout({ 'core/a.ts': 1100, 'scripts/estibench.ts': 900, 'dist/core/a.js': 1000, 'dist/scripts/estibench.js': 1000 }))).toBe('core/a.ts changed');
    expect(staleReason(checkout({ 'core/deep/b.ts': 900, 'scripts/estibench.ts': 900, 'dist/scripts/estibench.js': 1000 }))).toBe('core/deep/b.ts changed');
  });

  it('rebuilds when nothing is built or tsconfig.json changed, and never checks an installed package (no tsconfig.json)', () => {
    expect(staleReason(checkout({ 'scripts/estibench.ts': 900 }))).toBe('dist/ is not built yet');
    expect(staleReason(checkout({ 'tsconfig.json': 1100, 'scripts/estibench.ts': 900, 'dist/scripts/estibench.js': 1000 }))).toBe('tsconfig.json changed');
    expect(staleReason(mkdtempSync(join(tmpdir(), 'estibench-installed-')))).toBeNull();
  });
});
