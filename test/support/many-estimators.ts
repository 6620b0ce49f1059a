/**
 * A results object with 24 estimators (plug-in ids, not built-ins) on two backends, made from the
 * fixture's first cell: for tests of chart styles, the speed chart and report.html at that scale.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResults, CellResult } from '../../core/types.js';
import { parseResults } from '../../harness/results-file.js';

/** The fixture (a schema-1 file, as `report --in` reads it). */
export function fixtureResults(): BenchResults {
  return parseResults(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'results.json'), 'utf8'), 'fixture');
}

/** 24 estimators `plugin-01`…`plugin-24` (1 to 4 evaluations, spread bias and variance) on cpu and on a gpu backend that is a software rasteriser. */
export function manyEstimatorResults(count = 24): BenchResults {
  const fixture = fixtureResults();
  const template = fixture.cells.find((cell) => cell.state === 'completed')!;
  if (template.state !== 'completed') throw new Error('fixture has no completed cell');
  const estimators = Array.from({ length: count }, (_, index) => `plugin-${String(index + 1).padStart(2, '0')}`);
  const cells: CellResult[] = estimators.flatMap((estimator, index) => ['cpu', 'gpu'].map((backend) => ({
    ...template,
    estimator,
    backend,
    backendMode: backend === 'cpu' ? 'cpu:fused-js' : 'gpu:headlessgl',
    estimatorParams: {},
    estimatorTraits: { family: 'score-function', claimsUnbiased: false, evaluations: 1 + (index % 4) },
    metrics: {
      ...template.metrics,
      // Two pairs sit on the same spot (indices 0 and 1, 2 and 3): the dodge must keep both visible.
      bias: 0.01 * 1.3 ** Math.floor(index / 2) * (index < 4 ? 1 : 1 + index / 10),
      variance: 0.05 * 1.25 ** Math.floor(index / 2) * (index < 4 ? 1 : 1 + index / 7),
      nsPerEstimate: (backend === 'cpu' ? 60 : 500) * (1 + index / 5),
      nsPerEstimateMad: 5,
    },
  }) as CellResult));
  return {
    ...fixture,
    config: { ...fixture.config, estimators, backends: ['cpu', 'gpu'], estimatorParams: Object.fromEntries(estimators.map((id) => [id, {}])) },
    env: {
      ...fixture.env,
      backends: [
        ...fixture.env.backends,
        { id: 'gpu', state: 'ready', mode: 'gpu:headlessgl', details: { renderer: 'ANGLE on llvmpipe (LLVM 15.0.6, 256 bits)', software: 'yes: timings measure a CPU rasteriser, not a GPU' }, fallbacks: [] },
      ],
    },
    cells,
    sweeps: undefined,
    scaling: undefined,
  };
}
