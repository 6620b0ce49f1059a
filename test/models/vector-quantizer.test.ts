import { describe, expect, it } from 'vitest';
import { createJsTensorOps } from '../../backends/cpu-ops.js';
import { Rng } from '../../core/rng.js';
import type { StagedContext } from '../../core/suite.js';
import { vqSte } from '../../estimators/vq-ste.js';
import { vectorQuantizerLayer, type VectorQuantizerPass } from '../../models/vector-quantizer.js';

const context = { ops: createJsTensorOps(), estimator: vqSte, estimatorParams: {} } as unknown as StagedContext;

/** Index of the nearest code by a plain search written here: every code, squared distance in float64, first of the smallest. */
function directSearch(latent: ArrayLike<number>, codebook: ArrayLike<number>, codes: number, width: number): number {
  let best = -1;
  let bestDistance = Infinity;
  for (let code = 0; code < codes; code++) {
    let distance = 0;
    for (let index = 0; index < width; index++) distance += (latent[index] - codebook[code * width + index]) ** 2;
    if (distance < bestDistance) [best, bestDistance] = [code, distance];
  }
  return best;
}

describe('the vector-quantized node', () => {
  it('hands downstream the nearest code of every latent vector, as a direct search finds it', async () => {
    const shape = { vectors: 3, width: 5, codes: 17 };
    const rng = new Rng(11);
    const rows = 40;
    const latents = Float32Array.from({ length: rows * 15 }, () => rng.nextNormal());
    const codebook = Float32Array.from({ length: 17 * 5 }, () => rng.nextNormal());
    const layer = vectorQuantizerLayer(shape, 'nearest').compile(context);
    const pass = await layer.forward(latents, rows, codebook, new Rng(0), 0);
    const saved = pass.saved as VectorQuantizerPass;
    for (let vector = 0; vector < rows * 3; vector++) {
      const expected = directSearch(latents.subarray(vector * 5, vector * 5 + 5), codebook, 17, 5);
      expect(saved.nearest[vector]).toBe(expected);
      expect(Array.from(pass.output.subarray(vector * 5, vector * 5 + 5))).toEqual(Array.from(codebook.subarray(expected * 5, expected * 5 + 5)));
    }
  });

  it('breaks ties to the lowest index (a code repeated later loses)', async () => {
    const codebook = Float32Array.from([3, 3, 1, 0, 1, 0, 0, 1]);
    const layer = vectorQuantizerLayer({ vectors: 2, width: 2, codes: 4 }, 'nearest').compile(context);
    // (1, 0) is code 1 and code 2; (0.5, 0.5) is equally far from codes 1, 2 and 3.
    const pass = await layer.forward(Float32Array.from([1, 0, 0.5, 0.5]), 1, codebook, new Rng(0), 0);
    expect(Array.from((pass.saved as VectorQuantizerPass).nearest)).toEqual([1, 1]);
  });

  it('backpropagates the estimator\'s rule: dL/dh to z_e, the auxiliary losses averaged over rows into the codebook', async () => {
    const layer = vectorQuantizerLayer({ vectors: 1, width: 2, codes: 2 }, 'estimator').compile(context);
    const codebook = Float32Array.from([1, 0, 0, 1]);
    const latents = Float32Array.from([0.75, 0.25, 0, 0.5]);
    const pass = await layer.forward(latents, 2, codebook, new Rng(0), 1);
    expect(Array.from(pass.output)).toEqual([1, 0, 0, 1]);
    const parameterGradient = new Float32Array(4);
    const outputGradient = Float32Array.from([1, 2, 3, 4]);
    const inputGradient = await layer.backward({ input: latents, pass, outputGradient, rows: 2, params: codebook, parameterGradient, wantInputGradient: true, step: 1 });
    // Row weight 1/2, β = 0.25: dz = g + (1/2)(1/2)(z − e); de = (1/2)·2(e − z) summed over the vectors choosing it.
    const expected = [1 + 0.25 * -0.25, 2 + 0.25 * 0.25, 3 + 0.25 * 0, 4 + 0.25 * -0.5];
    expected.forEach((value, index) => expect(inputGradient![index]).toBeCloseTo(value, 6));
    [0.25, -0.25, 0, 0.5].forEach((value, index) => expect(parameterGradient[index]).toBeCloseTo(value, 6));
  });
});
