import { noElementKernels, defineEstimator } from '../core/estimator.js';
import { addCodebookAndCommitment, type QuantizedVector } from '../core/vector-quantizer.js';

/** Writes the nearest code e_k (z_q) to `out`: the forward value of the VQ estimators that do not relax it. */
export function copyNearestCode(vector: QuantizedVector, out: Float64Array): void {
  out.set(vector.codebook.subarray(vector.nearest * vector.width, (vector.nearest + 1) * vector.width));
}

/** The commitment weight β of the VQ-VAE loss, shared by the estimators that keep that loss. */
export const commitmentParameter = {
  beta: { description: 'commitment weight β of β‖z_e − sg(z_q)‖² (van den Oord et al. 2017 use 0.25)', default: 0.25, minimum: 0 },
} as const;

/**
 * A VQ estimator whose forward value is the nearest code and whose codebook and commitment losses are
 * VQ-VAE's: only how dL/dh reaches z_e (`addLatentGradient`) differs between them.
 */
export function defineNearestCodeEstimator(definition: {
  id: string; title: string; citation: string;
  addLatentGradient(vector: QuantizedVector, outputGradient: Float64Array, latentGradient: Float64Array): void;
}) {
  return defineEstimator({
    id: definition.id,
    title: definition.title,
    citation: definition.citation,
    family: 'pathwise-surrogate',
    nodeKinds: ['vector-quantized'],
    claimsUnbiased: false,
    params: commitmentParameter,
    noise: [],
    evaluations: 1,
    needs: { objective: false, objectiveGradient: true },
    kernels: noElementKernels,
    vectorQuantizer: {
      exponentialsPerVector: () => 0,
      forward: copyNearestCode,
      backward(vector, outputGradient, auxiliaryWeight, latentGradient, codebookGradient) {
        definition.addLatentGradient(vector, outputGradient, latentGradient);
        addCodebookAndCommitment(vector, vector.params.beta, auxiliaryWeight, latentGradient, codebookGradient);
      },
    },
  });
}

/**
 * VQ-VAE's straight-through copy h = z_e + sg(z_q − z_e): the forward value is the nearest code z_q,
 * and dL/dh reaches z_e unchanged. The codebook learns from the codebook loss ‖sg(z_e) − z_q‖² and the
 * encoder is held to its codes by the commitment loss β‖z_e − sg(z_q)‖², both averaged over rows as
 * the objective is (`addCodebookAndCommitment`).
 */
export const vqSte = defineNearestCodeEstimator({
  id: 'vq-ste',
  title: 'VQ straight-through (codebook + commitment loss)',
  citation: 'van den Oord, Vinyals & Kavukcuoglu (2017), Neural Discrete Representation Learning, arXiv:1711.00937',
  addLatentGradient(vector, outputGradient, latentGradient) {
    for (let index = 0; index < vector.width; index++) latentGradient[index] += outputGradient[index];
  },
});
