// Keeps dist/ in step with the TypeScript sources of a source checkout, cheaply: a file's stat per
// source, and tsc only when a source is newer than its compiled file (or has none). An installed
// package ships dist/ without sources or tsconfig.json, so there is nothing to check there.
// Plain JavaScript on purpose: it must run before anything is compiled.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The .ts sources under the folders tsconfig.json includes (declaration files are not compiled). */
function sourceFiles(folder) {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : -Infinity);

/** Why dist/ is out of date, or null when every source has a compiled file at least as new. */
export function staleReason(root = packageRoot) {
  const tsconfigPath = join(root, 'tsconfig.json');
  if (!existsSync(tsconfigPath)) return null;
  const tsconfig = JSON.parse(readFileSync(tsconfigPath, 'utf8'));
  const outDir = join(root, tsconfig.compilerOptions?.outDir ?? 'dist');
  const sources = (tsconfig.include ?? []).flatMap((pattern) => {
    const path = join(root, pattern);
    return existsSync(path) && statSync(path).isFile() ? [path] : sourceFiles(path);
  });
  const entryPoint = join(outDir, 'scripts', 'estibench.js');
  if (!existsSync(entryPoint)) return 'dist/ is not built yet';
  if (mtime(tsconfigPath) > mtime(entryPoint)) return 'tsconfig.json changed';
  for (const source of sources) {
    const compiled = join(outDir, relative(root, source)).replace(/\.(m|c)?ts$/, (_, kind) => `.${kind ?? ''}js`);
    if (mtime(source) > mtime(compiled)) return `${relative(root, source)} changed`;
  }
  return null;
}

/** Compiles with the project's TypeScript when dist/ is out of date; exits 1 when tsc fails. */
export function ensureBuilt(root = packageRoot) {
  const reason = staleReason(root);
  if (!reason) return;
  process.stderr.write(`estibench: ${reason} since the last build; compiling (tsc -p tsconfig.json) ...\n`);
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
  if (build.status !== 0) {
    process.stderr.write('estibench: the build failed (see above); fix it, or run npm run build\n');
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) ensureBuilt();
