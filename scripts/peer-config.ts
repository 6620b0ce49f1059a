/**
 * What every speed comparison (`npm run peer`, `peer:network`, `peer:bernoulli`, `peer:categorical`)
 * shares about its Python peers: where they live (scripts/peers/ in this repository), which Python
 * runs them by default (the virtual environment `npm run setup:peers` makes, .venv-peers/), and how a
 * peer's output is read: a first line `{"peerConfig": {...}}` with the framework's exact version,
 * threads and BLAS/MKL configuration (scripts/peers/peer_config.py), then one JSON line with the
 * measurement. The configuration is printed above every table: a comparison is only as honest as its
 * peer (PyTorch on the reference BLAS runs a matrix product ten times slower than on MKL).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file runs from dist/scripts/. */
export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/** A peer script of this repository, by file name (scripts/peers/<name>). */
export function peerScript(name: string): string {
  return join(repositoryRoot, 'scripts', 'peers', name);
}

/** The Python of the peers' virtual environment, the default of every peer script's --python flag. */
export const defaultPeerPython = join(repositoryRoot, '.venv-peers', 'bin', 'python');

/** What a peer says about itself (scripts/peers/peer_config.py); fields a framework lacks are absent. */
export interface PeerConfig {
  readonly framework: string;
  readonly version: string;
  readonly threads?: number;
  readonly blas?: string | null;
  readonly lapack?: string | null;
  readonly mkl?: string | null;
  readonly onednn?: string | null;
  readonly parallel?: string | null;
  readonly cpuCapability?: string | null;
  readonly libraries?: readonly string[];
  readonly jaxlib?: string;
  readonly backend?: string;
  readonly xlaFlags?: string;
  readonly numpyBlas?: string | null;
  readonly prng?: string;
  readonly python?: string;
  readonly executable?: string;
}

/** A peer's parsed standard output: its configuration (null from a peer that prints none) and its measurement. */
export interface PeerOutput<T> {
  readonly config: PeerConfig | null;
  readonly result: T;
}

/**
 * Reads a peer's standard output: an optional first line `{"peerConfig": ...}`, then the measurement as
 * the last JSON value (one line, or an indented object from an older peer). Throws on anything else.
 */
export function parsePeerOutput<T>(stdout: string): PeerOutput<T> {
  const text = stdout.trim();
  const firstLineEnd = text.indexOf('\n');
  const firstLine = firstLineEnd < 0 ? text : text.slice(0, firstLineEnd);
  let config: PeerConfig | null = null;
  let rest = text;
  if (firstLine.startsWith('{"peerConfig"')) {
    config = (JSON.parse(firstLine) as { peerConfig: PeerConfig }).peerConfig;
    rest = firstLineEnd < 0 ? '' : text.slice(firstLineEnd + 1).trim();
  }
  if (!rest) throw new Error('the peer printed no measurement after its configuration');
  return { config, result: JSON.parse(rest) as T };
}

/**
 * One line naming what the peer ran on, e.g. `PyTorch 2.13.0+cpu, 2 threads, BLAS mkl (MKL 2024.2,
 * oneDNN v3.12.0, OpenMP, AVX512)` or `JAX 0.10.2 (jaxlib 0.10.2, cpu), XLA on 2 cores, numpy BLAS
 * scipy-openblas 0.3.31`. A peer that printed no configuration is named as such.
 */
export function describePeerConfig(config: PeerConfig | null): string {
  if (!config) return 'configuration not reported by the peer';
  const threads = config.threads === undefined ? '' : `, ${config.threads} thread${config.threads === 1 ? '' : 's'}`;
  if (config.framework === 'JAX') {
    const flags = config.xlaFlags ? `, XLA_FLAGS='${config.xlaFlags}'` : '';
    return `JAX ${config.version} (jaxlib ${config.jaxlib ?? '?'}, ${config.backend ?? '?'}${config.prng ? `, ${config.prng}` : ''}), XLA's own CPU kernels on ${config.threads ?? '?'} core(s)${flags}` +
      `${config.numpyBlas ? `; numpy's BLAS ${config.numpyBlas}` : ''}`;
  }
  const details = [
    config.mkl ? `MKL ${config.mkl}` : null, config.onednn ? `oneDNN ${config.onednn}` : null, config.parallel ?? null, config.cpuCapability ?? null,
  ].filter((detail): detail is string => Boolean(detail));
  // Debian's torch links libblas.so.3, whichever implementation its alternatives select: name the loaded file.
  const blasFiles = (config.libraries ?? []).filter((library) => /blas|lapack/i.test(library) && !/numpy|scipy/i.test(library));
  return `${config.framework} ${config.version}${threads}, BLAS ${config.blas ?? '?'}${details.length ? ` (${details.join(', ')})` : ''}` +
    `${blasFiles.length ? `, loaded ${blasFiles.join(', ')}` : ''}`;
}

/** A path as the user would type it from the repository root (when it is inside), for messages and headers. */
export function pathFromRoot(path: string): string {
  const fromRoot = relative(repositoryRoot, path);
  return fromRoot.startsWith('..') ? path : fromRoot;
}

/**
 * Why `python` cannot run a peer that imports `module`, or null when it can. The default environment's
 * absence gets the one command that makes it.
 */
export function peerPythonProblem(python: string, module: 'torch' | 'jax', flag: string): string | null {
  if (python === defaultPeerPython && !existsSync(python)) {
    return `no peer environment at ${pathFromRoot(python)}: run \`npm run setup:peers\` (or pass ${flag} PATH)`;
  }
  const probe = spawnSync(python, ['-c', `import ${module}`], { encoding: 'utf8' });
  if (probe.error) return `${python} cannot import ${module}: it did not start (${flag}; ${probe.error.message})`;
  if (probe.status !== 0) {
    return `${python} cannot import ${module} (${flag}${python === defaultPeerPython ? '; `npm run setup:peers` installs it' : ''})`;
  }
  return null;
}
