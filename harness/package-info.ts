import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Packages whose versions a reader needs to trust or reproduce the numbers. */
const reportedPackages = ['gpu.js', 'gl', 'webgpu', 'onnxruntime-node', 'tinybench', 'chart.js', '@napi-rs/canvas', 'yargs'];

/**
 * Installed versions of the packages that shape the results, found in the nearest node_modules
 * (and, for gpu.js's own dependencies, inside gpu.js); a package that is not installed is left out.
 */
export function dependencyVersions(): Record<string, string> {
  const versions: Record<string, string> = {};
  const roots: string[] = [];
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    roots.push(join(directory, 'node_modules'), join(directory, 'node_modules', 'gpu.js', 'node_modules'));
    directory = dirname(directory);
  }
  for (const name of reportedPackages) {
    const manifest = roots.map((root) => join(root, name, 'package.json')).find((path) => existsSync(path));
    if (manifest) versions[name] = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  }
  return versions;
}

/** This package's version, read from its package.json (found from source and from dist/ alike). */
export function packageVersion(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth++) {
    const candidate = join(directory, 'package.json');
    if (existsSync(candidate)) {
      const manifest = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'estibench' && manifest.version) return manifest.version;
    }
    directory = dirname(directory);
  }
  return 'unknown';
}
