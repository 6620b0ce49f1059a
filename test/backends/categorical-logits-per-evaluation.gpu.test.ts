import { expect, it } from 'vitest';
import { unsupportedNodeReason } from '../../core/node-kinds.js';
import { withDefaults } from '../../core/parameters.js';
import { Rng } from '../../core/rng.js';
import { builtInEstimators } from '../../estimators/index.js';
import { describeEachBackend } from '../support/backends.js';
import { testNormals } from '../support/random-for-tests.js';

const onCategoricalNodes = [...builtInEstimators.values()].filter((estimator) => unsupportedNodeReason(estimator, 'categorical') === null);
// Host terms are computed per row of logits: a node with logits per evaluation refuses them (and sequence-reward's autoregressive policy, which asks for one, refuses such estimators).
const categoricalEstimators = onCategoricalNodes.filter((estimator) => !estimator.hostTerms);
const withHostTerms = onCategoricalNodes.filter((estimator) => estimator.hostTerms);

describeEachBackend('a categorical node with logits per evaluation', (backend) => {
  it('covers every categorical estimator', () => {
    expect(categoricalEstimators.map((estimator) => estimator.id)).toEqual(expect.arrayContaining(['reinforce-loo', 'grpo', 'dr-grpo', 'gumbel-softmax', 'reinmax']));
  });

  for (const estimator of categoricalEstimators) {
    it(`${estimator.id}: with every evaluation given the row's logits, gives the shared node's h, and shares that sum to its dL/dlogits`, async () => {
      const width = 6;
      const classes = 3;
      const rows = 5;
      const estimatorParams = withDefaults(estimator.params);
      const request = { estimator, estimatorParams, nodeKind: 'categorical' as const, width, classes };
      const shared = backend().prepareHardNode!(request);
      const perEvaluation = backend().prepareHardNode!({ ...request, logitsPerEvaluation: true });
      const evaluations = shared.evaluations;
      try {
        const normals = testNormals(31);
        const logits = Float64Array.from({ length: rows * width }, () => normals());
        const repeated = new Float64Array(rows * evaluations * width);
        for (let row = 0; row < rows; row++) for (let e = 0; e < evaluations; e++) repeated.set(logits.subarray(row * width, (row + 1) * width), (row * evaluations + e) * width);
        const sharedForward = await shared.forward(logits, rows, new Rng(7), 0);
        const ownForward = await perEvaluation.forward(repeated, rows, new Rng(7), 0);
        expect(Array.from(ownForward.h)).toEqual(Array.from(sharedForward.h));

        const objectives = Float64Array.from({ length: rows * evaluations }, () => normals());
        const objectiveGradient = Float64Array.from({ length: rows * evaluations * width }, () => normals());
        const sums = await shared.backward(sharedForward, objectives, objectiveGradient, null, 0);
        const shares = await perEvaluation.backward(ownForward, objectives, objectiveGradient, null, 0);
        expect(shares.length).toBe(rows * evaluations * width);
        const tolerance = backend().id === 'cpu' ? 1e-12 : 1e-4;
        for (let row = 0; row < rows; row++) {
          for (let index = 0; index < width; index++) {
            let total = 0;
            for (let e = 0; e < evaluations; e++) total += shares[(row * evaluations + e) * width + index];
            expect(Math.abs(total - sums[row * width + index]), `row ${row}, element ${index}`).toBeLessThan(tolerance * (1 + Math.abs(sums[row * width + index])));
          }
        }
      } finally {
        shared.dispose();
        perEvaluation.dispose();
      }
    });
  }

  it.each(withHostTerms.map((estimator) => estimator.id))('%s (host terms): refused with logits per evaluation, by a message naming the reason', (id) => {
    const estimator = builtInEstimators.get(id)!;
    const request = { estimator, estimatorParams: withDefaults(estimator.params), nodeKind: 'categorical' as const, width: 6, classes: 3, logitsPerEvaluation: true };
    expect(() => backend().prepareHardNode!(request).dispose()).toThrow(/host terms on categorical nodes/);
  });

  it('draws each evaluation from its own logits', async () => {
    const estimator = builtInEstimators.get('reinforce-loo')!;
    const node = backend().prepareHardNode!({ estimator, estimatorParams: { k: 2 }, nodeKind: 'categorical', width: 2, classes: 2, logitsPerEvaluation: true });
    try {
      // Evaluation 0 all but certain of class 0, evaluation 1 of class 1.
      const logits = Float64Array.from([30, -30, -30, 30]);
      const { h } = await node.forward(logits, 1, new Rng(3), 0);
      expect(Array.from(h)).toEqual([1, 0, 0, 1]);
    } finally {
      node.dispose();
    }
  });
}, { staged: true });
