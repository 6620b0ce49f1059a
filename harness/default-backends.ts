/**
 * The backends of a run that does not name them (`--backend` left out): every registered backend
 * that says it belongs in a plain run (see `BackendFactory.inDefaultRun`), with a line for each one
 * left out. A backend named with `--backend` always runs: this only decides defaults.
 */
import { errorMessage } from '../core/errors.js';
import type { Registries } from '../core/types.js';

/** The default backends, and one line per backend left out saying why and how to run it anyway. */
export async function defaultBackends(registries: Pick<Registries, 'backends'>): Promise<{ ids: string[]; notes: string[] }> {
  const ids: string[] = [];
  const notes: string[] = [];
  for (const [id, factory] of registries.backends) {
    if (!factory.inDefaultRun) {
      ids.push(id);
      continue;
    }
    try {
      const decision = await factory.inDefaultRun();
      if (decision.include) ids.push(id);
      else notes.push(decision.note ?? `${id} backend left out of the default run; --backend ${id} runs it`);
    } catch (error) {
      notes.push(`${id} backend left out: deciding whether it runs here failed (${errorMessage(error).split('\n')[0]}); --backend ${id} runs it`);
    }
  }
  return { ids, notes };
}
