/** Which code produced a results file, as reports show it: the plug-in modules, and the built-ins' version. */
import type { BenchResults } from '../core/types.js';

/** First hex digits of a SHA-256 shown in reports (the full hash is in results.json). */
const shownHashDigits = 12;

/**
 * One entry per plug-in module (`./my-estimator.js (sha256 3f2a…): my-estimator`) and one for the
 * built-ins (`estibench 0.1.0: bernoulli-toy, ste-identity, …`); empty for results written before the
 * code was recorded.
 */
export function codeProvenanceEntries(results: BenchResults): string[] {
  const code = results.config.code ?? {};
  const modules = new Map<string, { sha256: string; ids: string[] }>();
  const builtIns = new Map<string, string[]>();
  for (const [id, entry] of Object.entries(code)) {
    if (entry.origin === 'plugin') {
      const key = entry.path ?? entry.resolvedPath ?? 'unknown path';
      const module = modules.get(key) ?? { sha256: entry.sha256, ids: [] };
      module.ids.push(id);
      modules.set(key, module);
    } else {
      const version = `estibench ${entry.version ?? 'unknown version'}`;
      builtIns.set(version, [...(builtIns.get(version) ?? []), id]);
    }
  }
  return [
    ...[...modules].map(([path, module]) => `plug-in ${path} (sha256 ${module.sha256.slice(0, shownHashDigits)}…): ${module.ids.join(', ')}`),
    ...[...builtIns].map(([version, ids]) => `built-in ${version}: ${ids.join(', ')}`),
  ];
}

/** The plug-in modules alone, one line each (empty when the run loaded none, or predates provenance). */
export function pluginLines(results: BenchResults): string[] {
  return codeProvenanceEntries(results).filter((line) => line.startsWith('plug-in '));
}
