import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import type { BatchMoments } from '../../core/moments.js';
import type { StateUpdateInput } from '../../core/estimator-state.js';
import { CellEstimatorState } from '../../harness/estimator-state.js';
import { withPlugins } from '../../harness/plugins.js';
import { builtInEstimators } from '../../estimators/index.js';
import { rebar } from '../../estimators/rebar.js';
import { builtInSuites } from '../../suites/index.js';
import { builtInBackends } from '../../backends/index.js';

const samples = 500;
const entries = 3;

/**
 * A made-up estimator linear in its state value φ: ĝ = a + φ c per entry, a and c drawn from the
 * stream; `live` is the array the harness rewrites, read at every draw as a backend would.
 */
function linearDraw(live: Float64Array) {
  return async (rng: Rng): Promise<BatchMoments> => {
    const sum = new Float64Array(entries);
    const squares = new Float64Array(entries);
    for (let sample = 0; sample < samples; sample++) {
      for (let entry = 0; entry < entries; entry++) {
        const estimate = rng.nextNormal() + live[0] * (rng.nextUniform() - 0.3);
        sum[entry] += estimate;
        squares[entry] += estimate * estimate;
      }
    }
    const mean = sum.map((total) => total / samples);
    return { count: samples, mean, sumOfSquaredDeviations: squares.map((square, entry) => square - sum[entry] * mean[entry]) };
  };
}

describe('the cell estimator state on the host', () => {
  it('hands the single-sample variance gradient Σ E[2 ĝ ∂ĝ/∂φ] of the step\'s own samples (common random numbers), and keeps the update', async () => {
    const seen: StateUpdateInput[] = [];
    const estimator = {
      ...rebar,
      state: {
        names: ['phi'],
        init: () => ({ phi: 0.7 }),
        varianceGradientSteps: () => ({ phi: 0.25 }),
        update: (input: StateUpdateInput) => {
          seen.push(input);
          return { phi: input.values.phi - 0.1 };
        },
      },
    };
    const state = new CellEstimatorState(estimator, {}, { nodeKind: 'bernoulli', dim: entries });
    const drawn = await state.trainingStep(1, new Rng(9), linearDraw(state.values), null);
    // The same samples written out: Σ over entries of mean(2 ĝ c) with ĝ = a + φ c at φ = 0.7.
    const replay = new Rng(9);
    let expected = 0;
    for (let sample = 0; sample < samples; sample++) {
      for (let entry = 0; entry < entries; entry++) {
        const a = replay.nextNormal();
        const c = replay.nextUniform() - 0.3;
        expected += (2 * (a + 0.7 * c) * c) / samples;
      }
    }
    expect(seen).toHaveLength(1);
    expect(Math.abs(seen[0].varianceGradient.phi - expected)).toBeLessThan(1e-9 * (1 + Math.abs(expected)));
    expect(seen[0].values).toEqual({ phi: 0.7 });
    // The step's estimates were drawn with the values before the update; the update is kept.
    expect(drawn.count).toBe(samples);
    expect(state.current()).toEqual({ phi: 0.7 - 0.1 });
    state.reset();
    expect(state.current()).toEqual({ phi: 0.7 });
  });

  it('is empty and inactive for a stateless estimator, whose step draws once', async () => {
    const state = new CellEstimatorState(builtInEstimators.get('disarm')!, {}, { nodeKind: 'bernoulli', dim: entries });
    let draws = 0;
    const live = new Float64Array(1);
    await state.trainingStep(1, new Rng(1), async (rng) => {
      draws++;
      return linearDraw(live)(rng);
    }, null);
    expect(state.active).toBe(false);
    expect(state.values).toHaveLength(0);
    expect(draws).toBe(1);
  });
});

describe('plug-in checks of an estimator state', () => {
  const registries = { suites: builtInSuites, estimators: new Map(), backends: builtInBackends };
  const withState = (names: string[]) => ({ ...rebar, id: 'stateful-plugin', state: { ...rebar.state!, names } });

  it('refuses a state value named like a parameter or a reserved kernel argument, in one line', () => {
    expect(() => withPlugins(registries, { estimators: [withState(['etaRate'])] }, 'x.js')).toThrow(/'state' has value 'etaRate', which is also a parameter's name/);
    expect(() => withPlugins(registries, { estimators: [withState(['objective'])] }, 'x.js')).toThrow(/'state' has value 'objective', a name the harness binds/);
    expect(() => withPlugins(registries, { estimators: [withState(['eta', 'eta'])] }, 'x.js')).toThrow(/names a value twice/);
  });

  it('accepts the built-in REBAR state under another id', () => {
    expect(withPlugins(registries, { estimators: [{ ...rebar, id: 'rebar-copy' }] }, 'x.js').estimators.has('rebar-copy')).toBe(true);
  });
});

describe('array state and node samples on the host', () => {
  /** A made-up estimator with one array `weights` (sized by the node) moved by the mean estimate of the collected batches. */
  function arrayEstimator(seen: StateUpdateInput[]) {
    return {
      ...rebar,
      state: {
        names: ['phi'],
        init: () => ({ phi: 1 }),
        varianceGradientSteps: () => ({ phi: 0.5 }),
        needsNodeSamples: true,
        update: (input: StateUpdateInput) => ({ phi: input.values.phi }),
        arrays: {
          init: (_params: unknown, shape: { dim: number }) => ({ weights: Float64Array.from({ length: shape.dim }, (_, index) => index + 1) }),
          update: (input: StateUpdateInput) => {
            seen.push(input);
            const estimates = (input.samples ?? []).flatMap((batch) => Array.from(batch.estimates));
            return { weights: input.arrays.weights.map((weight) => weight + estimates.reduce((total, value) => total + value, 0)) };
          },
        },
      },
    };
  }

  it('sizes the arrays by the node, records their length and norm, collects only the step\'s own batches, and resets them', async () => {
    const seen: StateUpdateInput[] = [];
    const state = new CellEstimatorState(arrayEstimator(seen), {}, { nodeKind: 'bernoulli', dim: 99 });
    const arrays = state.arraysFor({ nodeKind: 'bernoulli', dim: 2 });
    expect(Array.from(arrays.weights)).toEqual([1, 2]);
    expect(state.current()).toMatchObject({ phi: 1, weightsLength: 2, weightsNorm: Math.sqrt(5) });
    expect(() => state.arraysFor({ nodeKind: 'bernoulli', dim: 3 })).toThrow(/one hard node/);
    // Each draw reports one batch as a hard node would; the variance-gradient redraws (φ ± δ) report too.
    let draws = 0;
    let copies = 0;
    const draw = async (): Promise<BatchMoments> => {
      draws++;
      state.recordSamples(() => {
        copies++;
        return {
          rows: 1, width: 2, evaluations: 1, logits: [0, 0], probabilities: [0.5, 0.5], noiseU: null, noiseV: null, noiseWidth: 0, h: [0, 0],
          step: 0, params: {}, state: {}, arrays, estimates: Float64Array.from([0.25, draws]),
        };
      });
      return { count: 1, mean: new Float64Array(2), sumOfSquaredDeviations: new Float64Array(2) };
    };
    await state.trainingStep(1, new Rng(1), draw, null);
    expect(draws).toBe(3);
    expect(copies).toBe(1);
    expect(seen[0].samples).toHaveLength(1);
    expect(Array.from(seen[0].samples![0].estimates)).toEqual([0.25, 1]);
    // The live arrays themselves moved (the hard nodes hold them), by the first batch's estimates only.
    expect(Array.from(arrays.weights)).toEqual([2.25, 3.25]);
    state.reset();
    expect(Array.from(arrays.weights)).toEqual([1, 2]);
  });

  it('refuses a plug-in whose host term takes a reserved or a parameter\'s name', () => {
    const registries = { suites: builtInSuites, estimators: new Map(), backends: builtInBackends };
    const withTerm = (name: string) => ({
      ...rebar, id: 'host-term-plugin', hostTerms: { elementNames: [name], rowNames: [], compute: () => ({ element: {}, row: {} }) },
    });
    expect(() => withPlugins(registries, { estimators: [withTerm('objective')] }, 'plugin.js')).toThrow(/'hostTerms' has term 'objective'/);
    expect(() => withPlugins(registries, { estimators: [withTerm('etaRate')] }, 'plugin.js')).toThrow(/also a parameter's/);
    expect(() => withPlugins(registries, { estimators: [withTerm('surrogateTerm')] }, 'plugin.js')).not.toThrow();
  });
});
