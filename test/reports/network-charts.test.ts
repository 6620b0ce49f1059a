import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseResults } from '../../harness/results-file.js';
import type { BenchResults, CellResult } from '../../core/types.js';
import { cosineWithStdErr, normWithStdErr, startPointLabel } from '../../reports/charts/start-points.js';
import { planCharts } from '../../reports/charts/index.js';
import { createChartRenderer } from '../../reports/charts/render.js';

const fixture = parseResults(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'results.json'), 'utf8'), 'fixture');
const n = 2;
const m = 3;

function curve(values: number[]) {
  return { step: values.map((_, index) => index * 10), loss: values, lossMin: values.map((value) => value * 0.9), lossMax: values.map((value) => value * 1.1) };
}

/** A completed teacher-student cell at a starting point, with the gradient parts the charts read. */
function teacherStudentCell(estimator: string, point: Record<string, number>, mean: number[], exact: number[]): CellResult {
  return {
    key: '0123456789abcdef', suite: 'teacher-student', estimator, backend: 'cpu', backendMode: 'cpu:fused-js', seed: 1, samples: 1000, elapsedMs: 1, state: 'completed',
    suiteParams: { m, n, teacherSeed: 1, startSeed: 2, startNear: 0, anchor: 0, ...point }, estimatorParams: {},
    metrics: {
      referenceKind: 'closed-form', exactGradient: exact, meanGradient: mean, varianceByUnit: mean.map(() => 0.5),
      bias: 1, biasStdErr: 0.1, relativeBias: 1, variance: 2.5, mse: 3, cosine: 0.5,
      finalLoss: 0.1, finalLossStdErr: 0.01, lossCurve: curve([6, 2, 0.5, 0.05]), trainingSeeds: 3,
    },
  } as CellResult;
}

const results: BenchResults = {
  ...fixture,
  config: {
    ...fixture.config,
    suites: ['teacher-student', 'mnist-quantized-mlp'],
    estimators: ['ste-identity', 'ste-relu'],
    backends: ['cpu'],
    suiteParams: {
      'teacher-student': { m: [m], n: [n], teacherSeed: [1], startSeed: [2], startNear: [0], anchor: [0, 1] },
      'mnist-quantized-mlp': { bits: [1], batch: [100], hidden: [256], startSeed: [1] },
    },
    estimatorParams: { 'ste-identity': {}, 'ste-relu': {} },
  },
  cells: [
    teacherStudentCell('ste-identity', {}, [1, 0.5, 0.1, 0.2, 0.3], [0.2, 0.1, 0.1, 0.2, 0.3]),
    teacherStudentCell('ste-relu', {}, [0.5, 0.5, 0.1, 0.2, 0.3], [0.2, 0.1, 0.1, 0.2, 0.3]),
    // At the local minimum ∇f = 0: no cosine, but a norm.
    teacherStudentCell('ste-identity', { anchor: 1 }, [0.2, 0.1, 0, 0, 0], [0, 0, 0, 0, 0]),
    teacherStudentCell('ste-relu', { anchor: 1 }, [0.001, -0.002, 0, 0, 0], [0, 0, 0, 0, 0]),
    {
      key: 'fedcba9876543210', suite: 'mnist-quantized-mlp', estimator: 'ste-relu', backend: 'cpu', backendMode: 'cpu:fused-js', seed: 1, samples: 1000, elapsedMs: 1, state: 'completed',
      suiteParams: { bits: 1, batch: 100, hidden: 256, startSeed: 1 }, estimatorParams: {},
      metrics: {
        finalLoss: 0.3, finalLossStdErr: 0.01, lossCurve: curve([2.3, 1, 0.5, 0.3]), trainingSeeds: 3,
        trainingMetrics: { testAccuracy: { final: 0.9, finalStdErr: 0.01, curve: { step: [0, 10, 20, 30], mean: [0.1, 0.6, 0.8, 0.9], min: [0.1, 0.5, 0.7, 0.85], max: [0.1, 0.7, 0.85, 0.92] } } },
      },
    } as unknown as CellResult,
  ],
};

describe('charts of the network suites', () => {
  it('plan population-loss curves per starting point, coarse-gradient cosine and norm, and test accuracy', () => {
    const files = planCharts(results).flatMap(({ specs }) => specs.map((spec) => spec.file));
    expect(files).toEqual(expect.arrayContaining([
      'population-loss-teacher-student.png',
      'coarse-gradient-cosine-teacher-student.png', 'coarse-gradient-norm-teacher-student.png', 'test-accuracy-mnist-quantized-mlp.png',
    ]));
    const cosine = planCharts(results).flatMap(({ specs }) => specs).find((spec) => spec.file.startsWith('coarse-gradient-cosine'))!;
    const data = cosine.configuration.data as unknown as { labels: string[]; datasets: Array<{ data: Array<{ y: number | null }> }> };
    expect(data.labels).toEqual(['random start (seed 2)', 'local minimum']);
    // No cosine where the population gradient is zero.
    expect(data.datasets.map((dataset) => dataset.data[1].y)).toEqual([null, null]);
    expect(data.datasets.every((dataset) => typeof dataset.data[0].y === 'number')).toBe(true);
  });

  it('render to PNG', async () => {
    const render = createChartRenderer();
    for (const { specs } of planCharts(results)) {
      for (const spec of specs) expect((await render(spec)).subarray(1, 4).toString('ascii'), spec.file).toBe('PNG');
    }
  });

  it('label starting points and compute cosines and norms with their standard errors', () => {
    expect(startPointLabel({ startNear: 0.05, anchor: 0 })).toBe('teacher + 5%');
    expect(startPointLabel({ startNear: 0.01, anchor: 1 })).toBe('local minimum + 1%');
    expect(cosineWithStdErr([1, 0], [2, 0], [0, 0])).toEqual({ value: 1, stdErr: 0 });
    expect(cosineWithStdErr([1, 0], [0, 0], [0.1, 0.1])).toBeNull();
    // cos = x/√(x² + y²) at (1, 1): ∂cos/∂y = −1/(2√2), so the standard error is 0.1/(2√2) when only y varies.
    expect(cosineWithStdErr([1, 1], [1, 0], [0, 0.01])!.stdErr).toBeCloseTo(0.1 / (2 * Math.SQRT2), 12);
    expect(normWithStdErr([3, 4], [0.01, 0.01]).value).toBe(5);
    expect(normWithStdErr([0, 0], [0.01, 0.03]).stdErr).toBeCloseTo(0.2, 12);
  });
});
