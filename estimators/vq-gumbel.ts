import { noElementKernels, defineEstimator } from '../core/estimator.js';
import type { QuantizedVector } from '../core/vector-quantizer.js';

/**
 * The relaxed assignment y = softmax((a + G)/τ) of one vector over the codebook, with logits
 * a_j = −‖z_e − e_j‖² (so that the largest logit is the nearest code) and Gumbels G_j = −log E_j from
 * the vector's exponential draws; written to `out` (K numbers).
 */
export function relaxedAssignment(vector: QuantizedVector, tau: number, out: Float64Array): void {
  const { distances, exponentials, codes } = vector;
  let largest = -Infinity;
  for (let code = 0; code < codes; code++) {
    out[code] = (-distances[code] - Math.log(exponentials[code])) / tau;
    largest = Math.max(largest, out[code]);
  }
  let total = 0;
  for (let code = 0; code < codes; code++) total += out[code] = Math.exp(out[code] - largest);
  for (let code = 0; code < codes; code++) out[code] /= total;
}

/**
 * A Gumbel-softmax relaxation over the codebook, as DALL·E's dVAE trains its tokenizer: in training the
 * node hands downstream the mixture h = Σ_j y_j e_j of the codes weighted by the relaxed assignment
 * `relaxedAssignment`, and backpropagates through it exactly (into z_e through the logits, into the
 * codebook through the mixture and the logits); there is no codebook or commitment loss. At evaluation
 * the node's hard forward (the nearest code) is used, as DALL·E takes the argmax. The dVAE's logits come
 * from its encoder; here they are the negative squared distances, so that the node keeps one input z_e.
 */
export const vqGumbel = defineEstimator({
  id: 'vq-gumbel',
  title: 'VQ Gumbel-softmax relaxation',
  citation: 'Ramesh et al. (2021), Zero-Shot Text-to-Image Generation (DALL·E dVAE), arXiv:2102.12092; Jang, Gu & Poole (2017)',
  family: 'relaxation',
  nodeKinds: ['vector-quantized'],
  claimsUnbiased: false,
  params: { tau: { description: 'temperature τ of the relaxed assignment', default: 1, minimum: 0, exclusiveMinimum: true } },
  noise: [],
  evaluations: 1,
  needs: { objective: false, objectiveGradient: true },
  kernels: noElementKernels,
  vectorQuantizer: {
    exponentialsPerVector: (codes) => codes,
    forward(vector, out) {
      const weights = new Float64Array(vector.codes);
      relaxedAssignment(vector, vector.params.tau, weights);
      out.fill(0);
      for (let code = 0; code < vector.codes; code++) {
        for (let index = 0; index < vector.width; index++) out[index] += weights[code] * vector.codebook[code * vector.width + index];
      }
    },
    backward(vector, outputGradient, _auxiliaryWeight, latentGradient, codebookGradient) {
      const { codes, width, codebook, latent } = vector;
      const tau = vector.params.tau;
      const weights = new Float64Array(codes);
      relaxedAssignment(vector, tau, weights);
      // dL/dy_j = g·e_j; dL/da_j = y_j (dL/dy_j − Σ_i y_i dL/dy_i) / τ (the softmax's Jacobian).
      const weightGradient = new Float64Array(codes);
      let mean = 0;
      for (let code = 0; code < codes; code++) {
        for (let index = 0; index < width; index++) weightGradient[code] += outputGradient[index] * codebook[code * width + index];
        mean += weights[code] * weightGradient[code];
      }
      for (let code = 0; code < codes; code++) {
        const logitGradient = (weights[code] * (weightGradient[code] - mean)) / tau;
        for (let index = 0; index < width; index++) {
          // a_j = −‖z_e − e_j‖²: da_j/dz_e = −2(z_e − e_j), da_j/de_j = 2(z_e − e_j); h reads e_j with weight y_j.
          const difference = latent[index] - codebook[code * width + index];
          latentGradient[index] -= 2 * logitGradient * difference;
          codebookGradient[code * width + index] += weights[code] * outputGradient[index] + 2 * logitGradient * difference;
        }
      }
    },
  },
});
