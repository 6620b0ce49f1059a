import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Reporter } from './reporter.js';

/** Writes `results.json`, the machine-readable record every other report can be rebuilt from. */
export const resultsJsonReporter: Reporter = {
  id: 'json',
  async report(results, outDir) {
    await mkdir(outDir, { recursive: true });
    const path = join(outDir, 'results.json');
    await writeFile(path, `${JSON.stringify(results, null, 1)}\n`);
    return [path];
  },
};
