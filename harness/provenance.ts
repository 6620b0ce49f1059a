/**
 * Which code made each number: the SHA-256 of every estimator's and suite's code, recorded in the
 * configuration (`config.code`) and on every cell (`codeSha256`), and part of every cell's key, so a
 * `--resume` after a plug-in changed recomputes that plug-in's cells and keeps the others.
 * Built-ins hash estibench's version and the definition's source (its functions' text and its data);
 * plug-ins hash their module file. Neither covers modules the definition imports (documented).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BenchConfig, CellCodeHashes, CodeProvenance, PluginSource, Registries } from '../core/types.js';
import { packageVersion } from './package-info.js';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * A definition's source as text: functions by their source text, objects with their keys sorted,
 * so that equal code gives equal text whatever order properties were defined in.
 */
export function definitionSource(value: unknown, seen: Set<object> = new Set()): string {
  if (typeof value === 'function') return `function:${value.toString()}`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? String(value);
  if (seen.has(value)) return '[cycle]';
  seen.add(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}[${Array.from(value as unknown as ArrayLike<number>).join(',')}]`;
  if (Array.isArray(value)) return `[${value.map((item) => definitionSource(item, seen)).join(',')}]`;
  const entries = Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${definitionSource((value as Record<string, unknown>)[key], seen)}`);
  return `{${entries.join(',')}}`;
}

/** The SHA-256 of a file's bytes. */
export function fileSha256(path: string): string {
  return sha256(readFileSync(path));
}

/** The source of a plug-in module given to `--plugin`. */
export function pluginSource(path: string): PluginSource {
  const resolvedPath = resolve(path);
  return { path, resolvedPath, sha256: fileSha256(resolvedPath) };
}

/** Registries that know which plug-in module each of `ids` came from. */
export function withPluginSource(registries: Registries, ids: readonly string[], source: PluginSource): Registries {
  const sources = new Map(registries.pluginSources ?? []);
  for (const id of ids) sources.set(id, source);
  return { ...registries, pluginSources: sources };
}

/** Where the code of an estimator or suite comes from: its plug-in module, else estibench's version and the definition. */
export function codeProvenance(id: string, registries: Registries, version = packageVersion()): CodeProvenance {
  const plugin = registries.pluginSources?.get(id);
  if (plugin) return { origin: 'plugin', sha256: plugin.sha256, path: plugin.path, resolvedPath: plugin.resolvedPath };
  const definition = registries.estimators.get(id) ?? registries.suites.get(id);
  return { origin: 'built-in', version, sha256: sha256(`estibench ${version}\n${definitionSource(definition)}`) };
}

/** The provenance of every selected estimator and suite (sweep suites included), keyed by id. */
export function runCodeProvenance(ids: readonly string[], registries: Registries): Record<string, CodeProvenance> {
  const version = packageVersion();
  return Object.fromEntries([...new Set(ids)].map((id) => [id, codeProvenance(id, registries, version)]));
}

/** The hashes a cell of `suite` x `estimator` records, or nothing when the configuration predates provenance. */
export function cellCodeHashes(config: Pick<BenchConfig, 'code'>, suite: string, estimator: string): { codeSha256?: CellCodeHashes } {
  const [estimatorCode, suiteCode] = [config.code?.[estimator], config.code?.[suite]];
  return estimatorCode && suiteCode ? { codeSha256: { estimator: estimatorCode.sha256, suite: suiteCode.sha256 } } : {};
}

/** The ids whose code differs between two configurations (recorded in both, different hashes). */
export function changedCode(now: Pick<BenchConfig, 'code'>, before: Pick<BenchConfig, 'code'>): string[] {
  return Object.keys(now.code ?? {}).filter((id) => before.code?.[id] && before.code[id].sha256 !== now.code![id].sha256);
}

/**
 * The one line `--resume` prints about code, or null when the code is the same: which estimators and
 * suites changed (their cells are computed again), or that the earlier session recorded no code.
 */
export function resumeCodeLine(now: Pick<BenchConfig, 'code'>, before: Pick<BenchConfig, 'code'>): string | null {
  if (now.code && !before.code) return '--resume: the earlier session recorded no code hashes (an older estibench); every cell is computed again';
  const changed = changedCode(now, before);
  if (changed.length === 0) return null;
  return `--resume: the code of ${changed.map((id) => describeCode(id, now)).join(', ')} changed since the earlier session; its cells are computed again`;
}

/** `id (path)` for plug-ins, `id (built-in)` otherwise: how a one-line message names changed code. */
export function describeCode(id: string, code: Pick<BenchConfig, 'code'>): string {
  const entry = code.code?.[id];
  return entry?.origin === 'plugin' ? `${id} (${entry.path})` : `${id} (built-in)`;
}
