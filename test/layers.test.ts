/**
 * The house's layering, read from the import graph: arrows point down. `core/` imports nothing outside
 * itself; plug-in folders import `core/` (suites may also use `models/`) and never the harness, the
 * reports or each other's internals; `reports/` reads results through `core/` only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const sourceFolders = ['core', 'estimators', 'suites', 'models', 'backends', 'harness', 'reports', 'scripts'] as const;
type Folder = (typeof sourceFolders)[number];

/** Folders each folder may import (besides itself); node built-ins are allowed everywhere but `core/`. */
const allowed: Readonly<Record<Folder, readonly Folder[]>> = {
  core: [],
  estimators: ['core'],
  models: ['core'],
  backends: ['core'],
  suites: ['core', 'models'],
  harness: ['core', 'estimators', 'suites', 'models', 'backends'],
  reports: ['core'],
  scripts: ['core', 'estimators', 'suites', 'models', 'backends', 'harness', 'reports'],
};
/** Packages a folder may import; `core/` holds contracts and pure functions, so none. */
const packagesAllowed = (folder: Folder, specifier: string): boolean => folder !== 'core' || specifier === 'node:crypto';

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder)).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every forbidden arrow in the tree, as `from -> to`. */
function forbiddenImports(): string[] {
  const problems: string[] = [];
  for (const folder of sourceFolders) {
    for (const file of sourceFiles(folder)) {
      const { importedFiles } = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
      for (const { fileName: specifier } of importedFiles) {
        if (!specifier.startsWith('.')) {
          if (!packagesAllowed(folder, specifier)) problems.push(`${file} -> ${specifier} (a package)`);
          continue;
        }
        const target = normalize(join(dirname(file), specifier));
        const targetFolder = relative(root, join(root, target)).split('/')[0] as Folder;
        if (targetFolder !== folder && !allowed[folder].includes(targetFolder)) problems.push(`${file} -> ${target}`);
      }
    }
  }
  return problems;
}

describe('the import graph', () => {
  it('has no arrow pointing up or sideways between layers', () => {
    expect(forbiddenImports()).toEqual([]);
  });

  it('is read from real imports (a forbidden arrow written into a file is found)', () => {
    const { importedFiles } = ts.preProcessFile("import type { Registries } from '../harness/types.js';\nexport {};", true, true);
    expect(importedFiles.map((entry) => entry.fileName)).toEqual(['../harness/types.js']);
  });
});
