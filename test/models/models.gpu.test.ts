import { describe, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import type { ComputeBackend } from '../../core/backend.js';
import { builtInEstimators } from '../../estimators/index.js';
import { activation } from '../../models/activation.js';
import { dense } from '../../models/dense.js';
import { hardLayer, networkNodeUnsupportedReason } from '../../models/hard-layer.js';
import { hostHardOp, quantizerOp, signOp, stepOp } from '../../models/hard-ops.js';
import type { LayerSpec } from '../../models/layer.js';
import { SequentialNetwork } from '../../models/network.js';
import { softmaxCrossEntropy } from '../../models/softmax-cross-entropy.js';
import { withDefaults } from '../../core/parameters.js';
import { Rng } from '../../core/rng.js';
import type { StagedContext } from '../../core/suite.js';
import { createCpuTensorOps } from '../../backends/cpu-ort-ops.js';
import { testNormals, testUniforms } from '../support/random-for-tests.js';

const rows = 7;
const classes = 3;

/** A staged context on a backend for one estimator (what a cell hands a problem). */
function contextFor(backend: ComputeBackend, estimatorId: string, nodeKind: 'deterministic' | 'bernoulli' = 'deterministic'): StagedContext {
  const estimator = builtInEstimators.get(estimatorId)!;
  const estimatorParams = withDefaults(estimator.params);
  return {
    ops: backend.ops!,
    createHostOps: createCpuTensorOps,
    estimator,
    estimatorParams,
    batchSize: rows,
    hardNode: (width, options = {}) => backend.prepareHardNode!({ estimator, estimatorParams, nodeKind, width, ...options }),
  };
}

function batch(inputs: number, seed: number) {
  const normal = testNormals(seed);
  const uniform = testUniforms(seed + 1);
  return {
    input: Float32Array.from({ length: rows * inputs }, () => normal()),
    labels: Uint8Array.from({ length: rows }, () => Math.floor(uniform() * classes)),
  };
}

describeEachBackend('model layers', (backend) => {
  /** Mean cross-entropy of the network at `params` (float32 forward). */
  async function lossAt(network: SequentialNetwork, context: StagedContext, params: Float32Array, input: Float32Array, labels: Uint8Array) {
    const pass = await network.compile(context).forward(params, input, rows, new Rng(0), 0);
    return softmaxCrossEntropy(pass.output, labels, rows, classes, false).loss;
  }

  /** Every gradient entry from `first` on against central differences of the float32 loss (step 10⁻²). */
  async function expectCentralDifferences(
    network: SequentialNetwork, context: StagedContext, params: Float32Array, input: Float32Array, labels: Uint8Array, gradient: Float32Array, first: number,
  ) {
    const step = 1e-2;
    for (let index = first; index < network.parameterCount; index++) {
      const plus = Float32Array.from(params);
      const minus = Float32Array.from(params);
      plus[index] += step;
      minus[index] -= step;
      const difference = ((await lossAt(network, context, plus, input, labels)) - (await lossAt(network, context, minus, input, labels))) / (2 * step);
      expect(Math.abs(difference - gradient[index]), `parameter ${index}`).toBeLessThan(2e-3 * (1 + Math.abs(gradient[index])));
    }
  }

  it('backpropagation through dense and smooth activation layers matches central differences of the loss', async () => {
    const layers: LayerSpec[] = [dense(6, 5), activation('tanh', 5), dense(5, 4), activation('sigmoid', 4), dense(4, classes), activation('identity', classes)];
    const network = new SequentialNetwork(layers);
    const context = contextFor(backend(), 'ste-identity');
    const compiled = network.compile(context);
    const params = Float32Array.from(network.initialParameters(new Rng(3)), (value) => value * 3);
    const { input, labels } = batch(6, 11);
    const pass = await compiled.forward(params, input, rows, new Rng(0), 0);
    const { gradient: outputGradient } = softmaxCrossEntropy(pass.output, labels, rows, classes, true);
    const gradient = await compiled.backward(params, pass, outputGradient!, 0);
    expect(gradient).toHaveLength(network.parameterCount);
    await expectCentralDifferences(network, context, params, input, labels, gradient, 0);
  });

  it.each([['ste-identity', stepOp.id, stepOp], ['ste-clipped-relu', quantizerOp(2).id, quantizerOp(2)], ['ste-hardtanh', signOp.id, signOp]] as const)(
    '%s at a %s node: exact above the node (central differences), the proxy below it (written out here)',
    async (estimatorId, _opId, op) => {
      const network = new SequentialNetwork([dense(6, 5), hardLayer(5, op), dense(5, classes)]);
      const context = contextFor(backend(), estimatorId);
      const compiled = network.compile(context);
      const params = Float32Array.from(network.initialParameters(new Rng(5)), (value) => value * 2);
      const { input, labels } = batch(6, 21);
      const pass = await compiled.forward(params, input, rows, new Rng(0), 0);
      const { gradient: outputGradient } = softmaxCrossEntropy(pass.output, labels, rows, classes, true);
      const gradient = await compiled.backward(params, pass, outputGradient!, 0);
      // The node's output is the op of its input, on every backend().
      const hostOp = hostHardOp(op);
      const logits = pass.passes[0].output;
      pass.passes[1].output.forEach((h, index) => expect(h).toBeCloseTo(hostOp(logits[index]), 6));
      // Above the node: perturbing the last layer leaves h alone, so central differences hold.
      const lastOffset = network.offsets[2];
      await expectCentralDifferences(network, context, params, input, labels, gradient, lastOffset);
      // Below it: dL/dθ = proxy'(θ) · (dL/dlogits · W₂ᵀ), then dW₁ = xᵀ·dL/dθ and db₁ = Σ_rows dL/dθ.
      const proxy: Record<string, (x: number) => number> = {
        'ste-identity': () => 1, 'ste-clipped-relu': (x) => (x > 0 && x < 1 ? 1 : 0), 'ste-hardtanh': (x) => (Math.abs(x) <= 1 ? 1 : 0),
      };
      const secondWeights = params.subarray(lastOffset, lastOffset + 5 * classes);
      const expected = new Float64Array(6 * 5 + 5);
      for (let row = 0; row < rows; row++) {
        for (let unit = 0; unit < 5; unit++) {
          let dLdh = 0;
          for (let column = 0; column < classes; column++) dLdh += outputGradient![row * classes + column] * secondWeights[unit * classes + column];
          const dTheta = proxy[estimatorId](logits[row * 5 + unit]) * dLdh;
          for (let inputIndex = 0; inputIndex < 6; inputIndex++) expected[inputIndex * 5 + unit] += input[row * 6 + inputIndex] * dTheta;
          expected[30 + unit] += dTheta;
        }
      }
      expected.forEach((value, index) => expect(Math.abs(gradient[index] - value), `parameter ${index}`).toBeLessThan(1e-5 * (1 + Math.abs(value))));
    },
  );
});

describe('models without a backend', () => {
  it('rejects networks whose layer widths do not chain', () => {
    expect(() => new SequentialNetwork([dense(4, 3), dense(5, 2)])).toThrow(/layer 1 \(dense 5→2\) takes 5 inputs, but layer 0 \(dense 4→3\) gives 3/);
  });

  it('says which estimators cannot sit inside a network', () => {
    expect(networkNodeUnsupportedReason(builtInEstimators.get('bengio-unbiased')!)).toMatch(/needs objective values at each hard node/);
    expect(networkNodeUnsupportedReason(builtInEstimators.get('ste-clipped-relu')!)).toBeNull();
  });

  it('the k-bit quantizer rounds clip(x, 0, 1) to 2^k − 1 levels', () => {
    const oneBit = hostHardOp(quantizerOp(1));
    const twoBit = hostHardOp(quantizerOp(2));
    expect([-1, 0.2, 0.49, 0.51, 0.9, 3].map(oneBit)).toEqual([0, 0, 0, 1, 1, 1]);
    expect([-1, 0.1, 0.2, 0.5, 0.7, 0.9, 3].map((x) => twoBit(x) * 3)).toEqual([0, 0, 1, 2, 2, 3, 3]);
  });

  it('softmax cross-entropy matches its definition, and its gradient sums to zero per row', () => {
    const logits = Float32Array.from([1, 2, 3, -1, 0, 4]);
    const { loss, correct, gradient } = softmaxCrossEntropy(logits, [2, 0], 2, 3, true);
    const rowLoss = (values: number[], label: number) => Math.log(values.reduce((total, value) => total + Math.exp(value), 0)) - values[label];
    expect(loss).toBeCloseTo((rowLoss([1, 2, 3], 2) + rowLoss([-1, 0, 4], 0)) / 2, 6);
    expect(correct).toBe(1);
    expect(gradient![0] + gradient![1] + gradient![2]).toBeCloseTo(0, 7);
  });
});
