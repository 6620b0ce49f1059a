import { describe, expect, it } from 'vitest';
import { planCharts } from '../../reports/charts/index.js';
import { chartRuntime } from '../../reports/charts/runtime.js';
import { estimatorColours, estimatorVariantOrder, styleOfSlot } from '../../reports/charts/palette.js';
import { samplesToResolveSign, signReading } from '../../reports/charts/coarse-gradient.js';
import { fixtureResults, manyEstimatorResults } from '../support/many-estimators.js';

type Dataset = { label?: string; borderColor?: unknown; pointStyle?: unknown; pointRotation?: unknown; borderDash?: unknown; data: unknown[]; backends?: string[] };

/** The look of a labelled series as the chart configuration states it. */
function lookOf(dataset: Dataset): string {
  return JSON.stringify([dataset.borderColor, dataset.pointStyle, dataset.pointRotation ?? 0, dataset.borderDash ?? []]);
}

/** Every function in a value, by path. */
function functionsIn(value: unknown, path = ''): string[] {
  if (typeof value === 'function') return [path];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => functionsIn(child, `${path}.${key}`));
}

describe('one style per estimator', () => {
  it('gives 64 slots distinct (colour, marker, rotation) pairs, and same-coloured slots (of the first 32) different markers and dashes', () => {
    const styles = Array.from({ length: 64 }, (_, slot) => styleOfSlot(slot));
    expect(new Set(styles.map((style) => `${style.colour} ${style.marker} ${style.rotation}`)).size).toBe(64);
    for (let slot = 0; slot < 32; slot++) {
      for (let other = slot + estimatorColours.length; other < 32; other += estimatorColours.length) {
        expect(`${styles[other].marker} ${styles[other].rotation}`).not.toBe(`${styles[slot].marker} ${styles[slot].rotation}`);
        expect(styles[other].dash).not.toEqual(styles[slot].dash);
      }
    }
  });

  it('orders slots by the run\'s estimator list (plug-ins included), not by registry or cell order', () => {
    const results = manyEstimatorResults();
    const reversed = { ...results, cells: [...results.cells].reverse() };
    expect(estimatorVariantOrder(reversed)).toEqual(results.config.estimators);
  });

  it('reads a distinct style for each of 24 estimators from every chart configuration, the same one in every chart', () => {
    const results = manyEstimatorResults();
    const specs = planCharts(results).flatMap(({ specs }) => specs);
    const lookByLabel = new Map<string, string>();
    let widest = 0;
    for (const spec of specs) {
      if (spec.configuration.type === 'bar') continue; // bars: one colour per bar, checked below
      const labelled = (spec.configuration.data.datasets as Dataset[]).filter((dataset) => dataset.label);
      widest = Math.max(widest, labelled.length);
      const looks = labelled.map(lookOf);
      expect(new Set(looks).size, spec.file).toBe(labelled.length);
      for (const dataset of labelled) {
        const known = lookByLabel.get(dataset.label!);
        if (known) expect(lookOf(dataset), `${spec.file}: ${dataset.label}`).toBe(known);
        lookByLabel.set(dataset.label!, lookOf(dataset));
      }
    }
    expect(widest).toBeGreaterThanOrEqual(24);
    // Every estimator got its look, and the only other labelled series are keys such as the Pareto front.
    expect(results.config.estimators.every((id) => lookByLabel.has(id))).toBe(true);
    expect([...lookByLabel.keys()].filter((label) => !results.config.estimators.includes(label))).toEqual(['Pareto front']);
    // Every line has markers on it (a radius above zero somewhere).
    for (const spec of specs.filter((candidate) => candidate.configuration.type === 'line')) {
      for (const dataset of (spec.configuration.data.datasets as Array<Dataset & { pointRadius?: number | number[] }>).filter((candidate) => candidate.label)) {
        expect([dataset.pointRadius].flat().some((radius) => (radius ?? 0) > 0), `${spec.file}: ${dataset.label}`).toBe(true);
      }
    }
  });

  it('keeps every chart configuration plain data, so report.html can carry it as JSON', () => {
    for (const results of [fixtureResults(), manyEstimatorResults()]) {
      for (const spec of planCharts(results).flatMap(({ specs }) => specs)) {
        expect(functionsIn(spec.configuration), spec.file).toEqual([]);
        expect(JSON.parse(JSON.stringify(spec.configuration)), spec.file).toEqual(spec.configuration);
      }
    }
  });
});

describe('speed chart', () => {
  const results = manyEstimatorResults();
  const [spec] = planCharts(results).find(({ definition }) => definition.id === 'speed')!.specs;
  const datasets = spec.configuration.data.datasets as Array<Dataset & { backgroundColor: string[] }>;
  const options = spec.configuration.options as { scales: { x: { type: string } }; plugins: { legend: { display: boolean } } };

  it('puts 24 estimators on a log axis, one row each, grouped by backend with a legend', () => {
    expect(options.scales.x.type).toBe('logarithmic');
    expect(options.plugins.legend.display).toBe(true);
    expect(spec.configuration.data.labels).toEqual(results.config.estimators);
    expect(datasets.map((dataset) => dataset.backends)).toEqual([['cpu'], ['gpu']]);
    // Rows of two bars need room: the chart grows with them.
    expect(spec.height!).toBeGreaterThanOrEqual(190 + 24 * 2 * 12);
  });

  it('says the gpu backend is a software rasteriser, in the legend and the caption', () => {
    expect(datasets[1].label).toBe('gpu: software rasteriser (llvmpipe), not a GPU');
    expect(spec.caption).toContain('software rasteriser');
    expect(datasets[0].label).toBe('cpu (cpu:fused-js)');
  });

  it('colours each bar as its estimator everywhere else', () => {
    const biasVariance = planCharts(results).find(({ definition }) => definition.id === 'bias-variance')!.specs[0];
    const colourOf = new Map((biasVariance.configuration.data.datasets as Dataset[]).map((dataset) => [dataset.label, dataset.borderColor]));
    expect(datasets[0].backgroundColor).toEqual(results.config.estimators.map((id) => colourOf.get(id)));
  });
});

describe('charts that carry no information are skipped with a note', () => {
  it('draws variance at equal cost only where evaluations differ', () => {
    const many = planCharts(manyEstimatorResults()).find(({ definition }) => definition.id === 'variance-cost')!;
    expect(many.specs).toHaveLength(1);
    expect(many.skipped).toEqual([]);
    const single = planCharts(fixtureResults()).find(({ definition }) => definition.id === 'variance-cost')!;
    expect(single.specs).toEqual([]);
    expect(single.skipped[0]).toMatch(/takes 1 objective evaluation per estimate/);
  });
});

describe('points that would hide each other', () => {
  const { dodgeOffsets } = chartRuntime();
  it('spreads a cluster sideways around its place and leaves lone points alone', () => {
    const offsets = dodgeOffsets([{ x: 100, y: 100 }, { x: 103, y: 101 }, { x: 300, y: 50 }, { x: 100, y: 104 }], 12, 14);
    expect(offsets).toEqual([-14, 0, 0, 14]);
  });
  it('links chains of neighbours into one cluster', () => {
    expect(dodgeOffsets([{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 20, y: 0 }], 12, 14)).toEqual([-14, 0, 14]);
  });
  it('turns the dodge on for scatter charts', () => {
    const spec = planCharts(manyEstimatorResults()).find(({ definition }) => definition.id === 'bias-variance')!.specs[0];
    expect((spec.configuration.options as { plugins: Record<string, unknown> }).plugins.estibenchDodge).toBe(true);
  });
});

describe('what the cosine caption may claim', () => {
  it('reads a sign only where ±2 standard errors exclude zero', () => {
    expect(signReading(0.41, 0.05, 20000)).toBe('positive');
    expect(signReading(-0.3, 0.1, 20000)).toBe('negative');
    // −0.09 ± 0.13 at N = 20000: N·(2·0.13/0.09)² = 20000 · 8.345… = 166,914 estimates.
    expect(samplesToResolveSign(-0.09, 0.13, 20000)).toBe(166914);
    expect(signReading(-0.09, 0.13, 20000)).toBe('sign not resolved at N = 20000; about 166,914 estimates would resolve it if the value held');
  });
});

describe('chart runtime', () => {
  const runtime = chartRuntime();

  /** A fake chart with one point at pixel (50, 50) on a log y axis spanning 0.1 (pixel 100) to 10 (pixel 0), recording what is drawn. */
  function drawErrorBar(point: { yMin: number; yMax: number }): Array<[string, number, number]> {
    const calls: Array<[string, number, number]> = [];
    const ctx = { save() {}, restore() {}, beginPath() {}, stroke() {}, setLineDash() {}, moveTo: (x: number, y: number) => calls.push(['move', x, y]), lineTo: (x: number, y: number) => calls.push(['line', x, y]) };
    const y = { type: 'logarithmic', isHorizontal: () => false, getPixelForValue: (value: number) => 50 - 50 * Math.log10(value) };
    const chart = {
      ctx, chartArea: { top: 0, bottom: 100, left: 0, right: 100 }, scales: { y },
      data: { datasets: [{ borderColor: '#000000', data: [{ x: 1, y: 1, ...point }] }] },
      getDatasetMeta: () => ({ yAxisID: 'y', xAxisID: 'x', data: [{ x: 50, y: 50 }] }),
      isDatasetVisible: () => true,
    };
    const errorBars = runtime.plugins.find((plugin) => plugin.id === 'estibenchErrorBars')!;
    (errorBars.afterDatasetsDraw as unknown as (chart: unknown) => void)(chart);
    return calls;
  }

  it('ends an error bar whose lower bound is at or below zero on a log axis in an open arrow at the bottom edge', () => {
    const calls = drawErrorBar({ yMin: -0.5, yMax: 2 });
    // The bar runs to the bottom edge, and two strokes meet at (50, 100) from above: a V pointing down.
    expect(calls).toContainEqual(['line', 50, 100]);
    const arrow = calls.findIndex(([kind, x, y], index) => kind === 'line' && x === 50 && y === 100 && calls[index + 1]?.[0] === 'line' && calls[index + 1][2] < 100);
    expect(arrow).toBeGreaterThan(0);
    expect(calls[arrow - 1][1]).toBeLessThan(50);
    expect(calls[arrow + 1][1]).toBeGreaterThan(50);
  });

  it('draws flat caps, no arrow, when the interval lies inside the axis', () => {
    const calls = drawErrorBar({ yMin: 0.5, yMax: 2 });
    const low = 50 - 50 * Math.log10(0.5);
    expect(calls).toContainEqual(['move', 45, low]);
    expect(calls).toContainEqual(['line', 55, low]);
    expect(calls.some(([, , y]) => y === 100)).toBe(false);
  });

  it('adds log-axis tick labels, whole-number labels and a legend filter that drops unlabelled bands', () => {
    const hydrated = runtime.hydrate({
      type: 'line',
      data: { datasets: [{ label: 'a', data: [] }, { label: '', data: [] }] },
      options: { scales: { x: { type: 'logarithmic', integerTicks: true }, y: { type: 'logarithmic' } } as never },
    });
    const scales = hydrated.options!.scales as Record<string, { ticks: { callback: (this: unknown, value: number) => string } }>;
    expect([1, 1.5, 2, 4].map((value) => scales.x.ticks.callback.call({ min: 1, max: 8 }, value))).toEqual(['1', '', '2', '4']);
    expect([0.01, 0.02, 0.03, 0.05].map((value) => scales.y.ticks.callback.call({ min: 0.01, max: 1 }, value))).toEqual(['0.01', '0.02', '', '0.05']);
    const filter = (hydrated.options!.plugins!.legend!.labels as { filter: (item: { text?: string }) => boolean }).filter;
    expect([filter({ text: 'a' }), filter({ text: '' })]).toEqual([true, false]);
  });
});
