import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComputeBackend } from '../../core/backend.js';
import { builtInBackends } from '../../backends/index.js';
import { builtInEstimators } from '../../estimators/index.js';
import { prepareCell } from '../../harness/cell.js';
import { withDefaults } from '../../core/parameters.js';
import { readModelContract } from '../../suites/onnx/model-contract.js';
import { openOrtObjective, type OnnxObjective } from '../../suites/onnx/objective-session.js';
import { sampleEstimator, unitsOutsideBand } from '../support/helpers.js';
import { onnxProblem } from '../support/onnx-helpers.js';

/** A Python with PyTorch (Debian: bash scripts/install-system-deps.sh --with-torch), or null: the tests below are then skipped. */
function pythonWithTorch(): string | null {
  for (const python of [process.env.ESTIBENCH_PYTHON, '/usr/bin/python3', 'python3']) {
    if (python && spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0) return python;
  }
  return null;
}

const python = pythonWithTorch();
const script = join(import.meta.dirname, '..', '..', 'examples', 'onnx', 'export_objective.py');

function exportObjective(args: string[]): void {
  const run = spawnSync(python!, [script, ...args], { encoding: 'utf8', timeout: 300_000 });
  if (run.status !== 0) throw new Error(`export_objective.py failed: ${run.stderr}`);
}

describe.skipIf(python === null)('examples/onnx/export_objective.py (PyTorch)', () => {
  const units = 8;
  let directory: string;
  let model: string;
  let backend: ComputeBackend;
  let objective: OnnxObjective;
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'estibench-export-'));
    model = join(directory, 'objective.onnx');
    exportObjective(['--out', model, '--units', String(units), '--check', join(directory, 'check.json')]);
    objective = await openOrtObjective(readModelContract(model, 'auto'), 'cpu');
    backend = await builtInBackends.get('cpu')!({ threads: 2 });
  });
  afterAll(async () => {
    await objective?.release();
    backend?.dispose();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('writes a model that follows the convention, with a dynamic batch axis and a grad output', () => {
    expect(readModelContract(model, 'auto')).toMatchObject({ nodeKind: 'bernoulli', units, fixedBatch: null, hasGradient: true });
  });

  it('computes PyTorch\'s loss and autograd gradient under onnxruntime, for binary and relaxed h', async () => {
    const check = JSON.parse(readFileSync(join(directory, 'check.json'), 'utf8')) as { h: number[][]; loss: number[]; grad: number[][] };
    const { value, gradient } = await objective.evaluate(check.h.flat(), check.h.length, true);
    check.loss.forEach((loss, row) => expect(Math.abs(value[row] - loss)).toBeLessThan(1e-4 * (1 + Math.abs(loss))));
    check.grad.flat().forEach((entry, index) => expect(Math.abs(gradient![index] - entry)).toBeLessThan(1e-5 * (1 + Math.abs(entry))));
  });

  it('exports a grad that is the derivative of its loss (central differences under onnxruntime)', async () => {
    const point = Array.from({ length: units }, (_, unit) => 0.2 + 0.07 * unit);
    const step = 1e-2;
    const rows = [point, ...Array.from({ length: units }, (_, unit) => [-1, 1].map((sign) => point.map((value, index) => (index === unit ? value + sign * step : value)))).flat()];
    const { value, gradient } = await objective.evaluate(rows.flat(), rows.length, true);
    for (let unit = 0; unit < units; unit++) {
      const difference = (value[2 + 2 * unit] - value[1 + 2 * unit]) / (2 * step);
      expect(Math.abs(gradient![unit] - difference), `unit ${unit}`).toBeLessThan(2e-3 * (1 + Math.abs(difference)));
    }
  });

  it('runs straight-through and score-function estimators on the exported model', async () => {
    const problem = onnxProblem(model);
    const steMoments = await sampleEstimator(backend, builtInEstimators.get('ste-sigmoid')!, problem, 2000, 1);
    expect(steMoments.mean.every(Number.isFinite)).toBe(true);
    const estimator = builtInEstimators.get('bengio-unbiased')!;
    const moments = await sampleEstimator(backend, estimator, problem, 20_000, 2);
    // Against the exported model's own exact gradient (its outputs matched PyTorch above).
    const cell = prepareCell(backend, { estimator, estimatorParams: withDefaults(estimator.params), problem, batchSize: 10 });
    const reference = (await cell.referenceGradient(problem.initialParameters))!;
    cell.dispose();
    expect(reference.kind).toBe('enumeration');
    expect(unitsOutsideBand(moments, reference.gradient, 5)).toEqual([]);
  });

  it('with --no-grad, exports loss only, and the estimators that need dL/dh are refused with how to add it', () => {
    const lossOnly = join(directory, 'loss-only.onnx');
    exportObjective(['--out', lossOnly, '--units', String(units), '--no-grad']);
    const problem = onnxProblem(lossOnly);
    expect(problem.unsupportedReason?.(builtInEstimators.get('ste-identity')!)).toMatch(/has no output grad; .*export_objective\.py adds it/);
    expect(problem.unsupportedReason?.(builtInEstimators.get('bengio-unbiased')!)).toBeNull();
  });
});
