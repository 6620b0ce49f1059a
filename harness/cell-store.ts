/**
 * `DIR/cells.jsonl`: every finished cell (and sweep series) appended the moment it finishes, one JSON
 * object per line, so an interrupted or killed run loses nothing that finished. The first line is a
 * header with the configuration, which `--resume` and merges check before trusting the cells.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { configDifference } from './cell-key.js';
import { formatShard } from '../core/types.js';
import { errorMessage, UsageError } from '../core/errors.js';
import { ensureDirectory } from './output-dir.js';
import type { BackendReport, BenchConfig, CellResult, LogitSweepSeries, RunEnvironment, ScalingSeries, ShardSpec } from '../core/types.js';

/** The file name inside the output directory. */
export const cellStoreFile = 'cells.jsonl';

/** The first line: what run the cells belong to. */
export interface StoreHeader {
  readonly kind: 'header';
  readonly schemaVersion: 2;
  readonly createdAt: string;
  /** `configFingerprint(config)`: a resumed run must match it. */
  readonly fingerprint: string;
  readonly shard?: ShardSpec;
  readonly config: BenchConfig;
  /** The machine of the first session (backends are recorded as they start, in `backend` records). */
  readonly env: Omit<RunEnvironment, 'backends'>;
}

/** A finished unit of planned work, as stored. */
export type WorkRecord =
  | { readonly kind: 'cell'; readonly result: CellResult }
  | { readonly kind: 'logit-sweep'; readonly result: LogitSweepSeries }
  | { readonly kind: 'scaling'; readonly result: ScalingSeries };

/** Every line after the header. */
export type StoreRecord = WorkRecord | { readonly kind: 'backend'; readonly report: BackendReport };

/** An open cells.jsonl. */
export interface CellStore {
  readonly path: string;
  readonly header: StoreHeader;
  /** Records an earlier session in the same directory wrote (with `--resume`), in file order. */
  readonly earlier: readonly StoreRecord[];
  /** Appends one record as one line, written through to the file at once. Ignored after `close`. */
  append(record: StoreRecord): void;
  close(): void;
}

/**
 * Reads a cells.jsonl: null when there is none, or not even a whole header line (a run killed as it
 * started). A last line cut short by a kill is dropped; `completeLength` is where the whole lines end.
 */
export async function readCellStore(path: string): Promise<{ header: StoreHeader; records: StoreRecord[]; completeLength: number } | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const completeLength = text.lastIndexOf('\n') + 1;
  if (completeLength === 0) return null;
  const lines = text.slice(0, completeLength).split('\n').filter((line) => line.trim() !== '');
  const parsed = lines.map((line, index) => {
    try {
      return JSON.parse(line) as StoreHeader | StoreRecord;
    } catch {
      throw new UsageError(`${path} line ${index + 1} is not JSON: the file is damaged; move it away and rerun`);
    }
  });
  const [header, ...records] = parsed;
  if (!header || header.kind !== 'header' || header.schemaVersion !== 2) {
    throw new UsageError(`${path} does not start with an estibench header line (schema version 2); it was not written by this version of npm run bench`);
  }
  return { header, records: records as StoreRecord[], completeLength };
}

function refuseResume(path: string, reason: string): never {
  throw new UsageError(`--resume: ${path} is from another configuration (${reason}); rerun with its options or choose another --out`);
}

/**
 * Opens `DIR/cells.jsonl` for this run, creating DIR: the check that the output directory is writable
 * happens here, before anything is computed. Without `resume` the file starts afresh; with it, the
 * earlier cells are kept when the configuration and shard are the same (a UsageError otherwise).
 */
export async function openCellStore(dir: string, header: StoreHeader, resume: boolean): Promise<CellStore & { readonly resumedFrom: boolean }> {
  const path = join(dir, cellStoreFile);
  let earlier: StoreRecord[] = [];
  let kept = header;
  let resumedFrom = false;
  try {
    await ensureDirectory(dir);
    if (resume) {
      const found = await readCellStore(path);
      if (found) {
        const reason = found.header.fingerprint === header.fingerprint ? null : (configDifference(header.config, found.header.config) ?? 'options differ');
        if (reason) refuseResume(path, reason);
        const [now, then] = [header.shard ? formatShard(header.shard) : 'none', found.header.shard ? formatShard(found.header.shard) : 'none'];
        if (now !== then) refuseResume(path, `--shard differs: now ${now}, before ${then}`);
        // A line cut short by a kill would corrupt the next one: cut it off.
        await truncate(path, found.completeLength);
        earlier = found.records;
        kept = found.header;
        resumedFrom = true;
      }
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--out '${dir}' cannot be used: ${errorMessage(error)}; choose a writable directory`);
  }
  let descriptor: number;
  try {
    descriptor = openSync(path, resumedFrom ? 'a' : 'w');
    if (!resumedFrom) writeSync(descriptor, `${JSON.stringify(header)}\n`);
  } catch (error) {
    throw new UsageError(`--out '${dir}' is not writable: ${errorMessage(error)}; choose a writable directory`);
  }
  let open = true;
  return {
    path,
    header: kept,
    earlier,
    resumedFrom,
    append(record) {
      if (open) writeSync(descriptor, `${JSON.stringify(record)}\n`);
    },
    close() {
      if (open) closeSync(descriptor);
      open = false;
    },
  };
}
