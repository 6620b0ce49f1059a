/**
 * Stable keys: a hash of everything that determines a cell's numbers, so that a shard, a resumed run
 * and a merge recognise the same cell whatever order or machine it ran in.
 */
import { createHash } from 'node:crypto';
import type { ParameterValues } from '../core/parameters.js';
import type { BenchConfig } from '../core/types.js';

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    entries.sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** First 16 hex digits of the SHA-256 of the canonical JSON: short, and collisions are out of reach for any grid. */
export function stableHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

/** The settings of a run that shape every cell's numbers (the training ones only when it trains). */
export function numericSettings(config: Pick<BenchConfig, 'samples' | 'batchSize' | 'training' | 'timingIterations'>) {
  return {
    samples: config.samples,
    batchSize: config.batchSize,
    // Without training, the learning rate and the like change nothing: they stay out of the key.
    training: config.training.steps === 0 ? { steps: 0 } : config.training,
    timingIterations: config.timingIterations,
  };
}

/** What identifies one cell or sweep series. */
export interface KeyedWork {
  /** `cell`, or the sweep the series belongs to. */
  readonly kind: 'cell' | 'logit-sweep' | 'scaling';
  readonly suite: string;
  readonly suiteParams: ParameterValues;
  readonly estimator: string;
  readonly estimatorParams: ParameterValues;
  readonly backend: string;
  readonly seed: number;
}

/**
 * The key of a cell or sweep series under a configuration. It includes the SHA-256 of the estimator's
 * and the suite's code when the configuration records it (`config.code`), so changed code gives new
 * keys; configurations from before that keep the keys they had.
 */
export function workKey(work: KeyedWork, config: Pick<BenchConfig, 'samples' | 'batchSize' | 'training' | 'timingIterations' | 'code'>): string {
  const estimatorCode = config.code?.[work.estimator]?.sha256;
  const suiteCode = config.code?.[work.suite]?.sha256;
  const code = estimatorCode && suiteCode ? { code: { estimator: estimatorCode, suite: suiteCode } } : {};
  return stableHash({ ...work, settings: numericSettings(config), ...code });
}

/**
 * Hash of what a resumed run or a merge must share with the run it continues: every option that
 * decides which cells are planned and what they compute. The output directory, the thread count and
 * the shard are left out (shards of one grid, on machines with other core counts, merge).
 */
export function configFingerprint(config: BenchConfig): string {
  // The code's hashes are in each cell's key instead: a resumed run recomputes the cells of changed code.
  const { outDir: _outDir, threads: _threads, code: _code, ...planned } = config;
  return stableHash(planned);
}

/** The first field in which two configurations differ, for a one-line refusal; null when they plan the same cells. */
export function configDifference(current: BenchConfig, other: BenchConfig): string | null {
  for (const field of Object.keys(current) as Array<keyof BenchConfig>) {
    if (field === 'outDir' || field === 'threads' || field === 'code') continue;
    const [now, then] = [canonicalJson(current[field]), canonicalJson(other[field])];
    if (now !== then) return `${field} differ (now ${now}, before ${then})`;
  }
  return null;
}

