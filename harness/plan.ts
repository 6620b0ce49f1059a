/**
 * The planner: expands a configuration into the work of a run (cells over suite x suite parameters x
 * estimator x estimator parameters x seed x backend, then the sweep series), each with a stable key.
 * A pure function of the configuration, so every shard, a resumed run and a merge see the same plan.
 */
import { workKey, type KeyedWork } from './cell-key.js';
import { formatParameters, varyingNames, type ParameterGrid, type ParameterValue, type ParameterValues } from '../core/parameters.js';
import type { BenchConfig } from '../core/types.js';

/** One unit of planned work: a cell, or one series of a sweep. */
export interface PlannedWork extends KeyedWork {
  readonly key: string;
  /** `suite / estimator / backend`, with the parameters (and seed) that vary in this run. */
  readonly label: string;
}

/** A planned cell. */
export type PlannedCell = PlannedWork & { readonly kind: 'cell' };
/** A planned sweep series. */
export type PlannedSeries = PlannedWork & { readonly kind: 'logit-sweep' | 'scaling' };

/** Every combination of the grid's values, the first parameter varying slowest, in the order given. */
export function gridPoints(grid: ParameterGrid): ParameterValues[] {
  let points: Array<Record<string, ParameterValue>> = [{}];
  for (const [name, values] of Object.entries(grid)) {
    points = points.flatMap((point) => values.map((value) => ({ ...point, [name]: value })));
  }
  return points;
}

function pick(values: ParameterValues, names: readonly string[]): ParameterValues {
  return Object.fromEntries(names.map((name) => [name, values[name]]));
}

/** `id` followed by the parameters that vary, e.g. `gumbel-softmax tau=0.5`. */
function withVarying(id: string, values: ParameterValues, varying: readonly string[]): string {
  return varying.length > 0 ? `${id} ${formatParameters(pick(values, varying), ' ')}` : id;
}

/**
 * Expands the configuration into its planned work, in the order results list it. The pairs the
 * configuration lists as unsupported (`config.unsupportedPairs`) are left out, cells and sweeps alike.
 */
export function planRun(config: BenchConfig): PlannedWork[] {
  const plan: PlannedWork[] = [];
  const leftOut = new Set((config.unsupportedPairs ?? []).map((pair) => `${pair.suite}\u0000${pair.estimator}`));
  const runs = (suite: string, estimator: string) => !leftOut.has(`${suite}\u0000${estimator}`);
  const add = (work: KeyedWork, label: string) => plan.push({ ...work, key: workKey(work, config), label });
  const seedLabel = (seed: number) => (config.seeds.length > 1 ? ` / seed ${seed}` : '');
  for (const suite of config.suites) {
    const suiteGrid = config.suiteParams[suite] ?? {};
    for (const suiteParams of gridPoints(suiteGrid)) {
      for (const estimator of config.estimators) {
        if (!runs(suite, estimator)) continue;
        const estimatorGrid = config.estimatorParams[estimator] ?? {};
        for (const estimatorParams of gridPoints(estimatorGrid)) {
          for (const seed of config.seeds) {
            for (const backend of config.backends) {
              const label = `${withVarying(suite, suiteParams, varyingNames(suiteGrid))} / ${withVarying(estimator, estimatorParams, varyingNames(estimatorGrid))} / ${backend}${seedLabel(seed)}`;
              add({ kind: 'cell', suite, suiteParams, estimator, estimatorParams, backend, seed }, label);
            }
          }
        }
      }
    }
  }
  // Sweeps run at the first seed and at their own suite setting, over every estimator variant.
  for (const kind of ['logit-sweep', 'scaling'] as const) {
    const setting = kind === 'logit-sweep' ? config.sweeps.logit : config.sweeps.scaling;
    if (!setting) continue;
    for (const estimator of config.estimators) {
      if (!runs(setting.suite, estimator)) continue;
      const estimatorGrid = config.estimatorParams[estimator] ?? {};
      for (const estimatorParams of gridPoints(estimatorGrid)) {
        for (const backend of config.backends) {
          const label = `${kind === 'logit-sweep' ? 'logit sweep' : 'scaling'} / ${withVarying(estimator, estimatorParams, varyingNames(estimatorGrid))} / ${backend}`;
          add({ kind, suite: setting.suite, suiteParams: setting.params, estimator, estimatorParams, backend, seed: config.seeds[0] }, label);
        }
      }
    }
  }
  return plan;
}

/** How many units `planRun` plans, counted without expanding the grid (so a huge grid is refused cheaply). */
export function plannedCount(config: BenchConfig): number {
  const points = (grid: ParameterGrid | undefined) => Object.values(grid ?? {}).reduce((product, values) => product * values.length, 1);
  const sweepSuites = [config.sweeps.logit?.suite, config.sweeps.scaling?.suite].filter((suite): suite is string => suite !== undefined);
  const leftOut = new Set((config.unsupportedPairs ?? []).map((pair) => `${pair.suite}\u0000${pair.estimator}`));
  let units = 0;
  for (const estimator of config.estimators) {
    const runsOn = (suite: string) => !leftOut.has(`${suite}\u0000${estimator}`);
    const suiteVariants = config.suites.filter(runsOn).reduce((total, id) => total + points(config.suiteParams[id]), 0);
    units += (suiteVariants * config.seeds.length + sweepSuites.filter(runsOn).length) * points(config.estimatorParams[estimator]);
  }
  return units * config.backends.length;
}

/** Whether planned work is a cell (as opposed to a sweep series). */
export function isPlannedCell(work: PlannedWork): work is PlannedCell {
  return work.kind === 'cell';
}
