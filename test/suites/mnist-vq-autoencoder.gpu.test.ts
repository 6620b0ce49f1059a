import { describe, expect, it } from 'vitest';
import { useCpuAndGpuBackends } from '../support/backends.js';
import { withDefaults } from '../../core/parameters.js';
import { Rng } from '../../core/rng.js';
import { isStagedProblem } from '../../core/suite.js';
import { builtInEstimators } from '../../estimators/index.js';
import { prepareCell, type ReadyCell } from '../../harness/cell.js';
import { trainLogits } from '../../harness/training.js';
import { MnistDigits } from '../../suites/mnist-data.js';
import { createMnistVqAutoencoderSuite } from '../../suites/mnist-vq-autoencoder.js';
import { quantizerLayerIndex, vqAutoencoder } from '../../suites/vq-autoencoder-model.js';

const suite = createMnistVqAutoencoderSuite(new MnistDigits());
const small = { hidden: 32, codes: 16, width: 4, vectors: 2, batch: 50 };

function problemWith(overrides: Record<string, number | string>) {
  const problem = suite.create(withDefaults(suite.params, overrides));
  if (!isStagedProblem(problem)) throw new Error('mnist-vq-autoencoder is staged');
  return problem;
}

describe('mnist-vq-autoencoder', () => {
  const backends = useCpuAndGpuBackends();

  it('refuses estimators of other node kinds and has no reference gradient (nothing faked)', async () => {
    const problem = problemWith(small);
    expect(problem.nodeKind).toBe('vector-quantized');
    const cell = prepareCell(backends.cpu(), { estimator: builtInEstimators.get('vq-ste')!, estimatorParams: {}, problem, batchSize: 1 });
    try {
      expect(await cell.referenceGradient(problem.initialParameters)).toBeNull();
    } finally {
      cell.dispose();
    }
  });

  it('scores the same weights the same on both backends, to the bit: the evaluation runs on the host', async () => {
    const problem = problemWith(small);
    const evaluations = [];
    for (const backend of [backends.cpu(), backends.gpu()]) {
      const cell = prepareCell(backend, { estimator: builtInEstimators.get('vq-ste')!, estimatorParams: {}, problem, batchSize: 1 });
      try {
        evaluations.push(await cell.evaluate(problem.initialParameters));
      } finally {
        cell.dispose();
      }
    }
    expect(evaluations[0].loss).toBeGreaterThan(0);
    expect(evaluations[1]).toEqual(evaluations[0]);
  });

  it.each(['vq-ste', 'vq-rotation', 'vq-gumbel'])('a short run with %s (30 Adam steps) lowers the reconstruction loss and reports codebook usage', async (id) => {
    const problem = problemWith(small);
    const estimator = builtInEstimators.get(id)!;
    const prepared = prepareCell(backends.cpu(), { estimator, estimatorParams: {}, problem, batchSize: 1 });
    const cell: ReadyCell = { ...prepared, trainingDefaults: { ...prepared.trainingDefaults, curvePoints: 1 } };
    try {
      const result = await trainLogits(cell, estimator, { steps: 30, batchSize: 1, seeds: 1 }, [new Rng(3)]);
      // 30 steps at this size take the loss from about 545 to about 510 nats per digit.
      expect(result.finalLoss).toBeLessThan(0.97 * result.lossCurve.loss[0]);
      const { codebookPerplexity, deadCodeFraction } = result.trainingMetrics!;
      expect(codebookPerplexity.final).toBeGreaterThanOrEqual(1);
      expect(codebookPerplexity.final).toBeLessThanOrEqual(16);
      expect(deadCodeFraction.final).toBeGreaterThanOrEqual(0);
      expect(deadCodeFraction.final).toBeLessThan(1);
    } finally {
      prepared.dispose();
    }
  });

  it.each(['vq-ste', 'vq-rotation'])('codebook=ema with %s (30 Adam steps): the codebook follows its moving averages, not the optimiser, and the reconstruction loss falls', async (id) => {
    const problem = problemWith({ ...small, codebook: 'ema' });
    const estimator = builtInEstimators.get(id)!;
    const prepared = prepareCell(backends.cpu(), { estimator, estimatorParams: {}, problem, batchSize: 1 });
    const cell: ReadyCell = { ...prepared, trainingDefaults: { ...prepared.trainingDefaults, curvePoints: 1 } };
    const codebookStart = vqAutoencoder(small.hidden, small).training.offsets[quantizerLayerIndex];
    const codebookEnd = codebookStart + small.codes * small.width;
    try {
      // The estimates give the optimiser nothing to move the codebook by; the rest of the gradient is there.
      const gradient = (await cell.estimateMoments(problem.initialParameters, new Float64Array(0), 1, new Rng(4), 0)).mean;
      expect(gradient.subarray(codebookStart, codebookEnd).every((value) => value === 0)).toBe(true);
      expect(gradient.subarray(0, codebookStart).some((value) => value !== 0)).toBe(true);
      const result = await trainLogits(cell, estimator, { steps: 30, batchSize: 1, seeds: 1 }, [new Rng(3)]);
      expect(result.finalLoss).toBeLessThan(0.97 * result.lossCurve.loss[0]);
      const { codebookPerplexity, deadCodeFraction } = result.trainingMetrics!;
      expect(codebookPerplexity.final).toBeGreaterThanOrEqual(1);
      expect(deadCodeFraction.final).toBeLessThan(1);
    } finally {
      prepared.dispose();
    }
  });

  it('codebook=ema: two steps of the moving averages give the same codebook on the GPU backend as on the CPU (to float32 precision)', async () => {
    const problem = problemWith({ ...small, codebook: 'ema' });
    const estimator = builtInEstimators.get('vq-ste')!;
    const codebookStart = vqAutoencoder(small.hidden, small).training.offsets[quantizerLayerIndex];
    const codebooks: Float64Array[] = [];
    for (const backend of [backends.cpu(), backends.gpu()]) {
      const cell = prepareCell(backend, { estimator, estimatorParams: {}, problem, batchSize: 1 });
      try {
        const params = Float64Array.from(problem.initialParameters);
        cell.ownUpdate!.startRun();
        // Only the codebook moves here (no optimiser): the second step assigns with the first step's codebook.
        for (const seed of [5, 6]) {
          cell.ownUpdate!.startStep();
          await cell.estimateMoments(params, new Float64Array(0), 1, new Rng(seed), 0);
          cell.ownUpdate!.finishStep(params);
        }
        codebooks.push(params.slice(codebookStart, codebookStart + small.codes * small.width));
      } finally {
        cell.dispose();
      }
    }
    const [onCpu, onGpu] = codebooks;
    const start = problem.initialParameters.subarray(codebookStart, codebookStart + small.codes * small.width);
    expect(onCpu.some((value, index) => value !== start[index])).toBe(true);
    const norm = (values: ArrayLike<number>) => Math.sqrt(Array.from(values).reduce((total, value) => total + value * value, 0));
    expect(norm(onGpu.map((value, index) => value - onCpu[index])) / norm(onCpu)).toBeLessThan(1e-4);
  });

  it.each(['vq-ste', 'vq-rotation', 'vq-gumbel'])('%s: the GPU backend computes the CPU\'s minibatch gradient (to float32 precision)', async (id) => {
    const problem = problemWith(small);
    const estimator = builtInEstimators.get(id)!;
    const gradients: Float64Array[] = [];
    for (const backend of [backends.cpu(), backends.gpu()]) {
      const cell = prepareCell(backend, { estimator, estimatorParams: {}, problem, batchSize: 1 });
      try {
        gradients.push((await cell.estimateMoments(problem.initialParameters, new Float64Array(0), 1, new Rng(9), 0)).mean);
      } finally {
        cell.dispose();
      }
    }
    const [onCpu, onGpu] = gradients;
    const norm = (values: ArrayLike<number>) => Math.sqrt(Array.from(values).reduce((total, value) => total + value * value, 0));
    expect(norm(onCpu)).toBeGreaterThan(0);
    expect(norm(onGpu.map((value, index) => value - onCpu[index])) / norm(onCpu)).toBeLessThan(1e-3);
  });
});
