/**
 * How a plug-in file becomes a module: JavaScript through Node's own `import`, TypeScript through
 * jiti (transpiled in memory, no build step and no native binary), anything else refused with one line.
 */
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage, UsageError } from '../core/errors.js';

/** Extensions of plug-ins Node imports as they are. */
export const javascriptExtensions = ['.js', '.mjs', '.cjs'] as const;
/** Extensions of plug-ins transpiled on load. */
export const typescriptExtensions = ['.ts', '.mts', '.cts'] as const;
const loadable: readonly string[] = [...javascriptExtensions, ...typescriptExtensions];

/** The exports of the plug-in module at `path`; a UsageError (one line) when it cannot be loaded. */
export async function importPluginModule(path: string): Promise<Record<string, unknown>> {
  const extension = extname(path).toLowerCase();
  if (!loadable.includes(extension)) {
    throw new UsageError(`cannot load plug-in '${path}': ${extension ? `'${extension}' files are` : 'a file without an extension is'} not a module estibench loads; ` +
      `give a JavaScript (${javascriptExtensions.join(', ')}) or TypeScript (${typescriptExtensions.join(', ')}) file`);
  }
  const absolutePath = resolve(path);
  try {
    if ((typescriptExtensions as readonly string[]).includes(extension)) {
      const { createJiti } = await import('jiti');
      // No cache on disk: a plug-in is loaded once per run, and an edited plug-in must never run stale.
      const jiti = createJiti(import.meta.url, { fsCache: false, moduleCache: false, interopDefault: false });
      return await jiti.import<Record<string, unknown>>(absolutePath);
    }
    return (await import(pathToFileURL(absolutePath).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`cannot load plug-in '${path}': ${errorMessage(error).split('\n')[0]}`);
  }
}
