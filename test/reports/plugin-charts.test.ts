/**
 * A plug-in estimator appears in every chart a built-in one does: reports read what the cells record
 * (including the estimator's traits), never a registry of estimators.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchResults } from '../../core/types.js';
import { parseResults } from '../../harness/results-file.js';
import { planCharts } from '../../reports/charts/index.js';

const fixture = parseResults(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'results.json'), 'utf8'), 'fixture');
const builtIn = 'ste-sigmoid';
const plugIn = 'my-plug-in-sigmoid';

/** The fixture with one built-in estimator's cells and series relabelled as a plug-in's, as a run with `--plugin` records them. */
function withPlugIn(results: BenchResults): BenchResults {
  const rename = <T extends { estimator: string }>(entry: T): T => (entry.estimator === builtIn ? { ...entry, estimator: plugIn } : entry);
  const json = JSON.parse(JSON.stringify(results)) as BenchResults & { sweeps?: { logit?: { series: Array<{ estimator: string }> } }; scaling?: { series: Array<{ estimator: string }> } };
  return {
    ...json,
    config: { ...json.config, estimators: json.config.estimators.map((id) => (id === builtIn ? plugIn : id)) },
    cells: json.cells.map(rename),
    ...(json.sweeps?.logit ? { sweeps: { ...json.sweeps, logit: { ...json.sweeps.logit, series: json.sweeps.logit.series.map(rename) } } } : {}),
    ...(json.scaling ? { scaling: { ...json.scaling, series: json.scaling.series.map(rename) } } : {}),
  } as BenchResults;
}

/** The dataset labels of every chart file, by file name. */
function labelsByFile(results: BenchResults): Map<string, string[]> {
  const byFile = new Map<string, string[]>();
  for (const { specs } of planCharts(results)) {
    for (const spec of specs) {
      const datasets = (spec.configuration.data?.datasets ?? []) as Array<{ label?: string }>;
      byFile.set(spec.file, datasets.map((dataset) => dataset.label ?? ''));
    }
  }
  return byFile;
}

describe('a plug-in estimator in the charts', () => {
  it('is drawn wherever the built-in estimator it stands in for is drawn', () => {
    expect(fixture.cells.some((cell) => cell.estimator === builtIn)).toBe(true);
    const before = labelsByFile(fixture);
    const after = labelsByFile(withPlugIn(fixture));
    expect([...after.keys()]).toEqual([...before.keys()]);
    const drawnIn = [...before].filter(([, labels]) => labels.some((label) => label.includes(builtIn)));
    expect(drawnIn.length).toBeGreaterThan(3);
    for (const [file, labels] of drawnIn) {
      const expected = labels.map((label) => label.replaceAll(builtIn, plugIn));
      expect(after.get(file), file).toEqual(expected);
    }
  });
});
