/** Where the CLI tests find the speed peers' Python: the environment `npm run setup:peers` makes. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The peers' Python (.venv-peers/bin/python), as the peer scripts default to it. */
export const peerPython = resolve('.venv-peers/bin/python');

/** Whether the peers' Python imports `module`. */
export function peerPythonHas(module: 'torch' | 'jax'): boolean {
  return spawnSync(peerPython, ['-c', `import ${module}`], { encoding: 'utf8' }).status === 0;
}

/** Appended to the names of tests that need the environment, so that a skip says why. */
export function needsPeerEnvironment(available: boolean): string {
  return available ? '' : ' [skipped: .venv-peers cannot import torch/jax here; `npm run setup:peers` makes it]';
}

/** Any Python 3 for the peers' argument checks, which run before torch or jax is imported. */
export const anyPython = spawnSync('python3', ['--version']).status === 0 ? 'python3' : '/usr/bin/python3';

/** The environment of a CLI run whose peer is a fake (test/fixtures/peers/): stand-in torch and jax modules on PYTHONPATH. */
export const fakePeerEnvironment = { ...process.env, PYTHONPATH: resolve('test/fixtures/peers/fake-modules') };
