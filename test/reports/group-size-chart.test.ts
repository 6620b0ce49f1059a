import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseResults } from '../../harness/results-file.js';
import type { BenchResults } from '../../core/types.js';
import { planCharts } from '../../reports/charts/index.js';

const fixture = parseResults(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'results.json'), 'utf8'), 'fixture');

/** The fixture's first completed cell as sequence-reward cells of GRPO and RLOO at k = 2 and 4, under both KL placements, on one backend. */
function groupResults(): BenchResults {
  const template = fixture.cells.find((cell) => cell.state === 'completed')!;
  const cells = ['grpo', 'reinforce-loo'].flatMap((estimator) => ['k1-reward', 'k3-loss'].flatMap((kl) => [2, 4].map((k) => ({
    ...template, suite: 'sequence-reward', estimator, estimatorParams: estimator === 'grpo' ? { k, epsilon: 1e-4 } : { k },
    suiteParams: { dim: 5, classes: 4, beta: 0.05, seed: 1, policy: 'factorised', kl },
  }))));
  return { ...fixture, config: { ...fixture.config, suites: ['sequence-reward'], estimators: ['grpo', 'reinforce-loo'] }, cells } as BenchResults;
}

describe('the group-size charts', () => {
  it("draws one line per estimator and setting of what else varies, labelled by it (the KL placement, not GRPO's own epsilon), against k only", () => {
    const specs = planCharts(groupResults()).find(({ definition }) => definition.id === 'group-size')!.specs;
    expect(specs.map((spec) => spec.file)).toEqual(['group-bias-k-sequence-reward.png', 'group-variance-k-sequence-reward.png']);
    const labels = (specs[0].configuration.data.datasets as Array<{ label: string }>).map((dataset) => dataset.label);
    expect(labels).toEqual(['grpo kl=k1-reward', 'grpo kl=k3-loss', 'reinforce-loo kl=k1-reward', 'reinforce-loo kl=k3-loss']);
  });
});
