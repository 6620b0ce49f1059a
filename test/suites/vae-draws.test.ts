import { describe, expect, it } from 'vitest';
import { createJsTensorOps } from '../../backends/cpu-ops.js';
import { Rng } from '../../core/rng.js';
import { averagedDrawRows, averageOverDraws } from '../../models/single-node.js';
import { trainingStages } from '../../suites/vae/vae-stages.js';
import { allStates, randomImages, tinyFamilies, tinyVae } from '../support/vae-tiny.js';

const ops = createJsTensorOps();

describe('averaging over an estimate\'s draws (sampleEvaluations)', () => {
  it('divides the draws\' rows by examples · draws and zeroes the auxiliary points\' rows', () => {
    // 2 examples × 3 evaluations, rows of 2 values; evaluation 0 is the only draw.
    const values = Float32Array.from({ length: 12 }, (_, index) => index + 1);
    averageOverDraws(values, 6, 2, { evaluations: 3, sampleEvaluations: 1 });
    expect(Array.from(values)).toEqual([0.5, 1, 0, 0, 0, 0, 3.5, 4, 0, 0, 0, 0]);
    const all = Float32Array.from({ length: 4 }, (_, index) => index + 1);
    averageOverDraws(all, 4, 1, { evaluations: 2, sampleEvaluations: 2 });
    expect(Array.from(all)).toEqual([0.25, 0.5, 0.75, 1]);
  });

  it('gathers the draws\' rows alone, divided as averageOverDraws divides them', () => {
    const values = Float32Array.from({ length: 12 }, (_, index) => index + 1);
    const draws = averagedDrawRows(values, 6, 2, { evaluations: 3, sampleEvaluations: 1 });
    expect(draws.rows).toEqual([0, 3]);
    expect(Array.from(draws.values)).toEqual([0.5, 1, 3.5, 4]);
    const two = averagedDrawRows(Float32Array.from({ length: 6 }, (_, index) => index + 1), 6, 1, { evaluations: 3, sampleEvaluations: 2 });
    expect(two.rows).toEqual([0, 1, 3, 4]);
    expect(Array.from(two.values)).toEqual([0.25, 0.5, 1, 1.25]);
  });

  describe.each(tinyFamilies)('on a tiny VAE with %s latents', (_name, family) => {
    it('a training estimate whose evaluations 1 and 2 are auxiliary points equals the estimate from evaluation 0 alone', async () => {
      const { model, params } = tinyVae(family(), 5);
      const batch = 3;
      const stages = trainingStages(ops, model, randomImages(6, 9), batch);
      const { width } = model.latents;
      const states = allStates(model.latents);
      const draws = new Float64Array(batch * width);
      for (let row = 0; row < batch; row++) draws.set(states[(row * 3 + 1) % states.length], row * width);
      // Three evaluations per example: the draw, then two relaxed points (values inside (0, 1)).
      const withAuxiliary = new Float64Array(batch * 3 * width);
      for (let row = 0; row < batch; row++) {
        withAuxiliary.set(draws.subarray(row * width, (row + 1) * width), row * 3 * width);
        for (let element = 0; element < 2 * width; element++) withAuxiliary[(row * 3 + 1) * width + element] = 0.15 + 0.7 * ((element * 0.61 + row * 0.23) % 1);
      }
      const estimate = async (h: Float64Array, evaluations: number) => {
        const { pass, logits } = await stages.upstream(params, 1, new Rng(17));
        const objective = await stages.objective(pass, h, evaluations, true);
        const dLogits = Float64Array.from({ length: logits.length }, (_, index) => Math.cos(index));
        return stages.backward(pass, params, dLogits, { h, evaluations, sampleEvaluations: 1, objective });
      };
      const alone = await estimate(draws, 1);
      const mixed = await estimate(withAuxiliary, 3);
      let largest = 0;
      for (let index = 0; index < alone.length; index++) largest = Math.max(largest, Math.abs(mixed[index] - alone[index]));
      expect(largest).toBeLessThan(1e-6);
      // The check can fail: counting the auxiliary points as draws changes the decoder's gradient.
      const { pass } = await stages.upstream(params, 1, new Rng(17));
      const objective = await stages.objective(pass, withAuxiliary, 3, true);
      const counted = await stages.backward(pass, params, new Float64Array(batch * width), { h: withAuxiliary, evaluations: 3, sampleEvaluations: 3, objective });
      const decoderStart = model.encoder.parameterCount;
      let changed = 0;
      for (let index = decoderStart; index < alone.length; index++) changed = Math.max(changed, Math.abs(counted[index] - alone[index]));
      expect(changed).toBeGreaterThan(1e-4);
    });
  });
});
