import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseResults } from '../../harness/results-file.js';
import { gradientScores, type BenchResults } from '../../core/types.js';
import { planCharts } from '../../reports/charts/index.js';

const fixture = parseResults(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'results.json'), 'utf8'), 'fixture');

/** The fixture's cells relabelled as a VAE run: two of them leave-one-out with k = 3 and DisARM, with test −ELBO curves. */
function vaeResults(): BenchResults {
  const cells = fixture.cells.map((cell, index) => {
    if (cell.state !== 'completed') return cell;
    const estimator = index === 0 ? 'reinforce-loo' : index === 1 ? 'disarm' : cell.estimator;
    const step = [0, 10, 20];
    const mean = [540 - index, 300 - index, 200 - index];
    const testNegativeElbo = { final: mean[2], finalStdErr: 1, curve: { step, mean, min: mean.map((value) => value - 1), max: mean.map((value) => value + 1) } };
    // What a run records for the relabelled estimators: leave-one-out with k = 3 makes 3 evaluations, DisARM's pair 2.
    const evaluations = estimator === 'reinforce-loo' ? 3 : estimator === 'disarm' ? 2 : cell.estimatorTraits!.evaluations;
    const estimatorTraits = { ...cell.estimatorTraits!, evaluations };
    return { ...cell, suite: 'mnist-binary-vae', estimator, estimatorParams: estimator === 'reinforce-loo' ? { k: 3 } : {}, estimatorTraits, metrics: { ...cell.metrics, trainingMetrics: { testNegativeElbo } } };
  });
  const estimators = cells.map((cell) => cell.estimator);
  return { ...fixture, config: { ...fixture.config, suites: ['mnist-binary-vae'], estimators }, cells } as BenchResults;
}

describe('VAE charts', () => {
  const plans = new Map(planCharts(vaeResults()).map(({ definition, specs }) => [definition.id, specs]));

  it('draws the test −ELBO curves of every estimator, with its final value in the caption', () => {
    const [spec] = plans.get('negative-elbo')!;
    expect(spec.file).toBe('negative-elbo-mnist-binary-vae.png');
    const labelled = (spec.configuration.data.datasets as Array<{ label: string }>).filter((dataset) => dataset.label !== '');
    expect(labelled.map((dataset) => dataset.label)).toEqual(vaeResults().cells.map((cell) => cell.estimator));
    expect(spec.caption).toMatch(/reinforce-loo 200\.0 ± 1\.0/);
  });

  it('puts each estimator at its evaluations per estimate, with variance × evaluations', () => {
    const [spec] = plans.get('variance-cost')!;
    const points = (spec.configuration.data.datasets as Array<{ label: string; data: Array<{ x: number; y: number }> }>).map((dataset) => ({ label: dataset.label, x: dataset.data[0].x, y: dataset.data[0].y }));
    const variances = fixture.cells.map((cell) => (cell.state === 'completed' ? gradientScores(cell.metrics)!.variance : Number.NaN));
    expect(points[0]).toEqual({ label: 'reinforce-loo', x: 3, y: 3 * variances[0] });
    expect(points[1]).toEqual({ label: 'disarm', x: 2, y: 2 * variances[1] });
    expect(points[2]).toEqual({ label: 'bengio-unbiased', x: 1, y: variances[2] });
  });

  it('draws nothing for runs without VAE curves', () => {
    expect(planCharts(fixture).find(({ definition }) => definition.id === 'negative-elbo')!.specs).toEqual([]);
  });
});
