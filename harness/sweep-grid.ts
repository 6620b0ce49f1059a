/**
 * The sweeps' settings (`--sweep logit,scaling`): which kinds exist, their grids, the suite each runs
 * on, and how their series are put back together into results. Measuring is in sweeps.ts.
 */
import { UsageError } from '../core/errors.js';
import type { ParameterGrid, ParameterValue } from '../core/parameters.js';
import type { BenchConfig, BenchResults, LogitSweepSeries, Registries, ScalingSeries, SweepSettings } from '../core/types.js';

/** The sweeps `--sweep` accepts. */
export const sweepKinds = ['logit', 'scaling'] as const;
export type SweepKind = (typeof sweepKinds)[number];

/** Grids of the sweeps; small enough for a 2-core CI machine with a software GPU. */
export const sweepDefaults = Object.freeze({
  /** The logit sweep runs on this suite, as in the ARM and DisARM papers' figures. */
  logitSuite: 'bernoulli-toy',
  /** 25 logits evenly spaced over [-6, 6]. */
  logits: Array.from({ length: 25 }, (_, index) => -6 + index * 0.5),
  /** One unit: every unit would sit at the same logit anyway. */
  logitDim: 1,
  batchSizes: [256, 1024, 4096, 8192],
  dims: [16, 64, 256, 1024],
  /** Batch size of the dimension sweep. */
  scalingBatchSize: 1024,
  /** Timed batches per scaling point at most (the run's --timing-iterations, if smaller and positive). */
  scalingIterations: 10,
});

/** Parses `--sweep` values (repeatable, comma-separated) into known kinds; throws UsageError otherwise. */
export function parseSweepKinds(values: readonly string[] | undefined): SweepKind[] {
  const kinds = (values ?? []).flatMap((value) => value.split(',')).map((value) => value.trim());
  for (const kind of kinds) {
    if (!(sweepKinds as readonly string[]).includes(kind)) {
      throw new UsageError(`unknown sweep '${kind}' in --sweep; valid sweeps: ${sweepKinds.join(', ')}`);
    }
  }
  return [...new Set(kinds)] as SweepKind[];
}

/** The first value of every parameter of a grid: sweeps run at one suite setting. */
function firstValues(grid: ParameterGrid): Record<string, ParameterValue> {
  return Object.fromEntries(Object.entries(grid).map(([name, values]) => [name, values[0]]));
}

/**
 * The suite and parameters of each requested sweep. The logit sweep runs on bernoulli-toy with one
 * unit; the scaling sweep on bernoulli-toy if selected, else the first selected suite with a `dim`.
 * Suites the run did not select take their defaults; a grid's first values are used.
 */
export function resolveSweepSettings(
  kinds: readonly SweepKind[], suites: readonly string[], suiteParams: Readonly<Record<string, ParameterGrid>>, registries: Registries,
): SweepSettings {
  const paramsOf = (id: string) => {
    const suite = registries.suites.get(id)!;
    const defaults = Object.fromEntries(Object.entries(suite.params).map(([name, spec]) => [name, spec.default]));
    return { ...defaults, ...firstValues(suiteParams[id] ?? {}) };
  };
  const settings: { logit?: SweepSettings['logit']; scaling?: SweepSettings['scaling'] } = {};
  if (kinds.includes('logit')) {
    if (!registries.suites.has(sweepDefaults.logitSuite)) throw new UsageError(`--sweep logit needs the ${sweepDefaults.logitSuite} suite, which is not registered`);
    settings.logit = { suite: sweepDefaults.logitSuite, params: { ...paramsOf(sweepDefaults.logitSuite), dim: sweepDefaults.logitDim } };
  }
  if (kinds.includes('scaling')) {
    const hasDim = (id: string) => 'dim' in (registries.suites.get(id)?.params ?? {});
    const suite = [sweepDefaults.logitSuite, ...suites].find((id) => suites.includes(id) && hasDim(id))
      ?? [sweepDefaults.logitSuite, ...registries.suites.keys()].find(hasDim);
    if (!suite) throw new UsageError('--sweep scaling needs a suite with a dim parameter');
    settings.scaling = { suite, params: paramsOf(suite) };
  }
  return settings;
}

/** Timed batches per scaling point under this configuration. */
export function scalingIterations(config: Pick<BenchConfig, 'timingIterations'>): number {
  return config.timingIterations > 0 ? Math.min(config.timingIterations, sweepDefaults.scalingIterations) : sweepDefaults.scalingIterations;
}

/** The sweeps' part of the results, from their series (in plan order); absent parts stay absent. */
export function assembleSweeps(
  config: BenchConfig, logitSeries: readonly LogitSweepSeries[], scalingSeries: readonly ScalingSeries[],
): Pick<BenchResults, 'sweeps' | 'scaling'> {
  const { logit, scaling } = config.sweeps;
  return {
    ...(logit ? { sweeps: { logit: { suite: logit.suite, params: logit.params, samples: config.samples, logits: [...sweepDefaults.logits], series: [...logitSeries] } } } : {}),
    ...(scaling
      ? {
        scaling: {
          suite: scaling.suite, batchSizes: [...sweepDefaults.batchSizes], dims: [...sweepDefaults.dims],
          fixedDim: Number(scaling.params.dim), fixedBatchSize: sweepDefaults.scalingBatchSize,
          timingIterations: scalingIterations(config), series: [...scalingSeries],
        },
      }
      : {}),
  };
}
