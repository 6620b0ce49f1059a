/**
 * `results.csv`: one row per cell with flat columns, for pandas and spreadsheets (`pd.read_csv`). The
 * values are results.json's, unscaled (test accuracy as a fraction), plus the standard errors the
 * reports derive (variance, MSE); an empty field is a score the cell does not have.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gradientScores, trainingResult, type BenchResults, type CellResult } from '../core/types.js';
import type { Reporter } from './reporter.js';
import { mseStdErr, varianceStdErr } from './uncertainty.js';

type Field = string | number | boolean | undefined | null;

/** The fixed columns, in order; parameters (`suite.dim`, `estimator.tau`, `problem.*`) and training metrics (`metric.*`) follow. */
export const fixedColumns = [
  'suite', 'nodeKind', 'estimator', 'family', 'claimsUnbiased', 'evaluations', 'backend', 'backendMode', 'execution', 'seed', 'samples', 'state', 'error',
  'bias', 'biasStdErr', 'relativeBias', 'variance', 'varianceStdErr', 'mse', 'mseStdErr', 'cosine', 'referenceKind', 'referenceStdErr',
  'nsPerEstimate', 'nsPerEstimateMad', 'timedBatches', 'timedBatchSize',
  'trainingSteps', 'trainingSeeds', 'optimizer', 'learningRate', 'samplesPerStep', 'trainingPrecision', 'finalLoss', 'finalLossStdErr', 'msPerTrainingStep', 'msPerTrainingStepMad',
  'elapsedMs', 'key',
] as const;

/** One field as RFC 4180 wants it: quoted when it holds a comma, quote or line break; empty for absent values and NaN. */
export function csvField(value: Field): string {
  if (value === undefined || value === null || (typeof value === 'number' && Number.isNaN(value))) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function fixedFields(results: BenchResults, cell: CellResult): Record<(typeof fixedColumns)[number], Field> {
  const metrics = cell.state === 'completed' ? cell.metrics : undefined;
  const g = metrics && gradientScores(metrics);
  const t = metrics && trainingResult(metrics);
  return {
    suite: cell.suite, nodeKind: cell.nodeKind, estimator: cell.estimator, family: cell.estimatorTraits?.family,
    claimsUnbiased: cell.estimatorTraits?.claimsUnbiased, evaluations: cell.estimatorTraits?.evaluations,
    backend: cell.backend, backendMode: cell.backendMode, execution: cell.execution, seed: cell.seed, samples: cell.samples,
    state: cell.state, error: cell.state === 'completed' ? undefined : cell.error,
    bias: g?.bias, biasStdErr: g?.biasStdErr, relativeBias: g?.relativeBias, variance: g?.variance,
    varianceStdErr: g && varianceStdErr(g, cell.samples), mse: g?.mse, mseStdErr: g && mseStdErr(g, cell.samples), cosine: g?.cosine,
    referenceKind: g?.referenceKind, referenceStdErr: g?.referenceStdErr,
    nsPerEstimate: metrics?.nsPerEstimate, nsPerEstimateMad: metrics?.nsPerEstimateMad, timedBatches: metrics?.timedBatches, timedBatchSize: metrics?.timedBatchSize,
    trainingSteps: t ? (t.lossCurve?.step?.at(-1) ?? results.config.training.steps) : undefined, trainingSeeds: t?.trainingSeeds,
    optimizer: t?.trainingSettings?.optimizer, learningRate: t?.trainingSettings?.learningRate, samplesPerStep: t?.trainingSettings?.samplesPerStep,
    // Files from before float32 training trained in float64.
    trainingPrecision: t?.trainingSettings ? (t.trainingSettings.precision ?? 'float64') : undefined,
    finalLoss: t?.finalLoss, finalLossStdErr: t?.finalLossStdErr, msPerTrainingStep: metrics?.msPerTrainingStep, msPerTrainingStepMad: metrics?.msPerTrainingStepMad,
    elapsedMs: cell.elapsedMs, key: cell.key,
  };
}

/** Scalar values only: a problem's vectors (its starting logits) stay in results.json. */
function scalars(values: Readonly<Record<string, unknown>> | undefined, prefix: string): Array<[string, Field]> {
  return Object.entries(values ?? {}).flatMap(([name, value]) =>
    (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' ? [[`${prefix}.${name}`, value] as [string, Field]] : []));
}

/** The further columns of a cell: its parameters, then each training metric and its standard error. */
function variableFields(cell: CellResult): Array<[string, Field]> {
  const metrics = cell.state === 'completed' ? trainingResult(cell.metrics)?.trainingMetrics : undefined;
  return [
    ...scalars(cell.suiteParams, 'suite'),
    ...scalars(cell.estimatorParams, 'estimator'),
    ...scalars(cell.problemParams, 'problem'),
    ...Object.entries(metrics ?? {}).flatMap(([name, metric]): Array<[string, Field]> => [[`metric.${name}`, metric.final], [`metric.${name}StdErr`, metric.finalStdErr]]),
  ];
}

/** The whole file: a header, then one row per cell in plan order (every state: failed cells carry their error). */
export function renderResultsCsv(results: BenchResults): string {
  const variable = results.cells.map(variableFields);
  const extraColumns = [...new Set(variable.flatMap((fields) => fields.map(([name]) => name)))];
  const header = [...fixedColumns, ...extraColumns];
  const rows = results.cells.map((cell, index) => {
    const fixed = fixedFields(results, cell);
    const extra = new Map(variable[index]);
    return [...fixedColumns.map((column) => csvField(fixed[column])), ...extraColumns.map((column) => csvField(extra.get(column)))].join(',');
  });
  return `${[header.map(csvField).join(','), ...rows].join('\n')}\n`;
}

/** Writes `results.csv` beside results.json. */
export const resultsCsvReporter: Reporter = {
  id: 'csv',
  async report(results, outDir) {
    await mkdir(outDir, { recursive: true });
    const path = join(outDir, 'results.csv');
    await writeFile(path, renderResultsCsv(results));
    return [path];
  },
};
