/**
 * Checks of what `--resume`, merges and `report` read back (cells.jsonl lines, results.json cells and
 * series) against the shape estibench writes: a file edited by hand, cut by a full disk or written
 * by something else is refused with one line naming the line or cell, never trusted into a crash or
 * into a results.json that `report` then refuses.
 */
import { cellStates } from '../core/types.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
/** Numbers as JSON holds them: NaN and Infinity were written as null. */
const isNumberOrNull = (value: unknown) => value === null || typeof value === 'number';
const isNumberList = (value: unknown) => Array.isArray(value) && value.every(isNumberOrNull);

const resultStates: readonly string[] = cellStates;
/** Metrics that must be numbers when present. */
const numericMetrics = [
  'bias', 'biasStdErr', 'relativeBias', 'variance', 'mse', 'cosine', 'referenceStdErr', 'finalLoss', 'finalLossStdErr',
  'nsPerEstimate', 'nsPerEstimateMad', 'timedBatches', 'timedBatchSize', 'msPerTrainingStep', 'msPerTrainingStepMad', 'trainingSeeds',
];
/** Metrics that must be lists of numbers when present. */
const listMetrics = ['exactGradient', 'meanGradient', 'varianceByUnit'];

function curveProblem(curve: unknown, name: string, fields: readonly string[]): string | null {
  if (!isObject(curve)) return `has ${name} that is not an object`;
  for (const field of fields) if (!isNumberList(curve[field])) return `has ${name}.${field} that is not a list of numbers`;
  return null;
}

/** Numbers every point of `scoresAlongTraining` and each of its seeds carry. */
const pointNumbers = ['step', 'bias', 'biasStdErr', 'variance', 'mse', 'cosine'];
const seedNumbers = ['bias', 'biasStdErr', 'variance', 'mse', 'cosine', 'referenceNorm'];

function scoresAlongTrainingProblem(points: unknown): string | null {
  if (!Array.isArray(points)) return 'has metrics.scoresAlongTraining that is not a list';
  for (const [index, point] of points.entries()) {
    const name = `metrics.scoresAlongTraining[${index}]`;
    if (!isObject(point) || !Array.isArray(point.seeds) || point.seeds.length === 0) return `has ${name} without a list of seeds' scores`;
    for (const field of pointNumbers) if (!isNumberOrNull(point[field])) return `has ${name}.${field} that is not a number`;
    for (const seed of point.seeds as unknown[]) {
      if (!isObject(seed) || !seedNumbers.every((field) => isNumberOrNull(seed[field]))) return `has ${name}.seeds with an entry that lacks its scores`;
    }
  }
  return null;
}

/** What is wrong with a cell result, or null. `version` 1 cells had no key. */
export function cellProblem(cell: unknown, version = 2): string | null {
  if (!isObject(cell)) return 'is not an object';
  for (const field of ['suite', 'estimator', 'backend']) if (typeof cell[field] !== 'string') return `has no ${field} (a string)`;
  if (version >= 2 && typeof cell.key !== 'string') return 'has no key (a string)';
  if (!resultStates.includes(cell.state as string)) return `has state ${JSON.stringify(cell.state)}, not one of ${resultStates.join(', ')}`;
  for (const field of ['suiteParams', 'estimatorParams', 'problemParams']) {
    if (cell[field] !== undefined && !isObject(cell[field])) return `has ${field} that is not an object`;
  }
  if (cell.state !== 'completed') return typeof cell.error === 'string' ? null : 'is not completed but has no error message';
  const metrics = cell.metrics;
  if (!isObject(metrics)) return 'is completed but has no metrics object';
  for (const field of numericMetrics) {
    if (metrics[field] !== undefined && !isNumberOrNull(metrics[field])) return `has metrics.${field} = ${JSON.stringify(metrics[field])}, not a number`;
  }
  for (const field of listMetrics) {
    if (metrics[field] !== undefined && !isNumberList(metrics[field])) return `has metrics.${field} that is not a list of numbers`;
  }
  if (metrics.lossCurve !== undefined) {
    const problem = curveProblem(metrics.lossCurve, 'metrics.lossCurve', ['step', 'loss']);
    if (problem) return problem;
  }
  if (metrics.scoresAlongTraining !== undefined) {
    const problem = scoresAlongTrainingProblem(metrics.scoresAlongTraining);
    if (problem) return problem;
  }
  if (metrics.trainingMetrics !== undefined) {
    if (!isObject(metrics.trainingMetrics)) return 'has metrics.trainingMetrics that is not an object';
    for (const [name, curve] of Object.entries(metrics.trainingMetrics)) {
      if (!isObject(curve)) return `has metrics.trainingMetrics.${name} that is not an object`;
      const problem = curveProblem(curve.curve, `metrics.trainingMetrics.${name}.curve`, ['step', 'mean', 'min', 'max']);
      if (problem) return problem;
    }
  }
  return null;
}

/** What is wrong with a sweep series (`logit-sweep` or `scaling`), or null. */
export function seriesProblem(series: unknown, kind: 'logit-sweep' | 'scaling'): string | null {
  if (!isObject(series)) return 'is not an object';
  for (const field of ['key', 'estimator', 'backend']) if (typeof series[field] !== 'string') return `has no ${field} (a string)`;
  if (!isObject(series.estimatorParams)) return 'has no estimatorParams (an object)';
  if (!resultStates.includes(series.state as string)) return `has state ${JSON.stringify(series.state)}, not one of ${resultStates.join(', ')}`;
  if (kind === 'logit-sweep') {
    for (const field of ['signedBias', 'bias', 'biasStdErr', 'variance', 'exactGradient']) {
      if (!isNumberList(series[field])) return `has ${field} that is not a list of numbers`;
    }
    return null;
  }
  for (const field of ['bySamples', 'byDim']) {
    const problem = curveProblem(series[field], field, ['nsPerEstimate', 'msPerBatch']);
    if (problem) return problem;
  }
  return null;
}

/** What is wrong with a backend report, or null. */
export function backendReportProblem(report: unknown): string | null {
  if (!isObject(report)) return 'is not an object';
  if (typeof report.id !== 'string') return 'has no id (a string)';
  if (report.state !== 'ready' && report.state !== 'failed') return `has state ${JSON.stringify(report.state)}, not ready or failed`;
  if (!Array.isArray(report.fallbacks) || !report.fallbacks.every((item) => typeof item === 'string')) return 'has fallbacks that are not a list of strings';
  return null;
}

/** Kinds of the lines after a cells.jsonl header. */
export const storeRecordKinds = ['cell', 'logit-sweep', 'scaling', 'backend'] as const;

/** What is wrong with one line after the header of a cells.jsonl, or null. */
export function storeRecordProblem(record: unknown): string | null {
  if (!isObject(record)) return 'is not a JSON object';
  const kind = record.kind;
  switch (kind) {
    case 'cell': {
      const problem = cellProblem(record.result);
      return problem ? `holds a cell that ${problem}` : null;
    }
    case 'logit-sweep':
    case 'scaling': {
      const problem = seriesProblem(record.result, kind);
      return problem ? `holds a ${kind} series that ${problem}` : null;
    }
    case 'backend': {
      const problem = backendReportProblem(record.report);
      return problem ? `holds a backend report that ${problem}` : null;
    }
    default:
      return `has kind ${JSON.stringify(kind)}, not one of ${storeRecordKinds.join(', ')}`;
  }
}

/** What is wrong with a cells.jsonl header beyond its kind and version, or null. */
export function storeHeaderProblem(header: Json): string | null {
  if (typeof header.fingerprint !== 'string') return 'has no fingerprint (a string)';
  if (typeof header.createdAt !== 'string') return 'has no createdAt (a string)';
  if (!isObject(header.config)) return 'has no config object';
  for (const field of ['suites', 'estimators', 'backends', 'seeds']) if (!Array.isArray(header.config[field])) return `has config.${field} that is not a list`;
  if (!isObject(header.env)) return 'has no env object';
  return null;
}
