/**
 * A cell worker: a child process that the supervisor (`cell-supervisor.ts`) forks to compute cells.
 * It loads the built-in registries and the run's plug-ins once, starts each backend once (on first
 * use), and computes one unit at a time on request. It never writes results: the supervisor does.
 * Stop signals are the supervisor's to act on (a Ctrl-C reaches the whole process group), so the
 * worker ignores them; the supervisor ends it with SIGKILL when it must stop at once.
 */
import { builtInBackends } from '../backends/index.js';
import { errorMessage, UsageError } from '../core/errors.js';
import type { Registries } from '../core/types.js';
import { builtInEstimators } from '../estimators/index.js';
import { builtInSuites } from '../suites/index.js';
import { loadPluginModules } from './plugins.js';
import { createBackendCache, runWork } from './work-executor.js';
import type { SupervisorMessage, WorkerMessage } from './worker-protocol.js';

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function startWorker(): void {
  if (!process.send) {
    process.stderr.write('cell-worker: this script is started by estibench (child_process.fork), not by hand\n');
    process.exit(2);
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => {});
  let registries: Registries = { suites: builtInSuites, estimators: builtInEstimators, backends: builtInBackends };
  let backends: ReturnType<typeof createBackendCache> | null = null;
  // Units arrive one at a time; a chain keeps them in order should two ever overlap.
  let queue = Promise.resolve();
  const handle = async (message: SupervisorMessage) => {
    switch (message.type) {
      case 'load-plugins':
        try {
          registries = await loadPluginModules(registries, message.pluginPaths);
          send({ type: 'ready' });
        } catch (error) {
          send({ type: 'plugins-failed', message: error instanceof UsageError ? error.message : `cannot load plug-ins: ${errorMessage(error)}` });
        }
        return;
      case 'run': {
        const { work, config } = message;
        backends ??= createBackendCache(registries, config.threads);
        const started = await backends.get(work.backend, (report) => send({ type: 'backend', report }));
        send({ type: 'computing' });
        send({ type: 'done', record: await runWork(work, config, registries, started) });
        return;
      }
      case 'close':
        await backends?.disposeAll();
        process.exit(0);
    }
  };
  process.on('message', (message: SupervisorMessage) => {
    queue = queue.then(() => handle(message)).catch((error: unknown) => {
      // runWork keeps a cell's failures on its result; anything reaching here is a bug of the harness.
      process.stderr.write(`cell-worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(70);
    });
  });
  // The supervisor gone (the IPC channel closed): nothing is left to work for.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'booted' });
}

startWorker();
