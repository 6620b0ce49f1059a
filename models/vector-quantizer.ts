import { numericValues, withDefaults } from '../core/parameters.js';
import type { Rng } from '../core/rng.js';
import { nearestCode, type QuantizedVector, type VectorQuantizerRule } from '../core/vector-quantizer.js';
import type { LayerSpec } from './layer.js';

/** The shape of a vector-quantized node: `vectors` latent vectors of `width` d numbers per row, K `codes`. */
export interface VectorQuantizerShape {
  readonly vectors: number;
  readonly width: number;
  readonly codes: number;
}

/** What a forward pass of the node keeps: every vector's nearest code, distances and noise. */
export interface VectorQuantizerPass {
  /** Latent vectors in the pass (rows · vectors). */
  readonly count: number;
  /** The nearest code of every latent vector. */
  readonly nearest: Int32Array;
  /** ‖z_e − e_j‖², [count × K]. */
  readonly distances: Float64Array;
  /** The rule's exponential draws, [count × per vector]. */
  readonly exponentials: Float64Array;
  readonly perVector: number;
  readonly latents: Float64Array;
  readonly codebook: Float64Array;
}

/**
 * Squared distances of every latent vector (rows of `latents`, [count × d]) to every code ([K × d]),
 * ‖z‖² − 2 z·e + ‖e‖², the products z·e through the backend's matrix product (on the GPU a gpu.js
 * kernel), the norms in float64 on the host. Negative rounding is clamped to 0.
 */
export async function codeDistances(
  matmul: (a: Float32Array, b: Float32Array, m: number, k: number, n: number, options?: { transposeB?: boolean }) => Promise<Float32Array>,
  latents: Float32Array, codebook: Float32Array, count: number, shape: Pick<VectorQuantizerShape, 'width' | 'codes'>,
): Promise<Float64Array> {
  const { width, codes } = shape;
  const products = await matmul(latents, codebook, count, width, codes, { transposeB: true });
  const codeNorms = new Float64Array(codes);
  for (let code = 0; code < codes; code++) for (let index = 0; index < width; index++) codeNorms[code] += codebook[code * width + index] ** 2;
  const distances = new Float64Array(count * codes);
  for (let vector = 0; vector < count; vector++) {
    let latentNorm = 0;
    for (let index = 0; index < width; index++) latentNorm += latents[vector * width + index] ** 2;
    for (let code = 0; code < codes; code++) {
      distances[vector * codes + code] = Math.max(0, latentNorm - 2 * products[vector * codes + code] + codeNorms[code]);
    }
  }
  return distances;
}

/** The `QuantizedVector` view of vector `index` of a pass. */
function vectorOf(pass: VectorQuantizerPass, index: number, shape: VectorQuantizerShape, params: Record<string, number>, step: number): QuantizedVector {
  const { width, codes } = shape;
  return {
    latent: pass.latents.subarray(index * width, (index + 1) * width),
    codebook: pass.codebook,
    codes,
    width,
    nearest: pass.nearest[index],
    distances: pass.distances.subarray(index * codes, (index + 1) * codes),
    exponentials: pass.exponentials.subarray(index * pass.perVector, (index + 1) * pass.perVector),
    params,
    step,
  };
}

/**
 * A vector-quantized node as a layer: its input is [rows × vectors · d] latents z_e, its parameters the
 * codebook (K × d, row-major), its output h [rows × vectors · d]. In `estimator` mode the cell's
 * estimator's `vectorQuantizer` rule makes h and backpropagates (with its auxiliary losses averaged
 * over the rows); in `nearest` mode h is the nearest code z_q (evaluation; no backward). The codebook
 * starts uniform in ±1/K, as VQ-VAE implementations initialise their embedding.
 */
export function vectorQuantizerLayer(shape: VectorQuantizerShape, mode: 'estimator' | 'nearest' = 'estimator'): LayerSpec {
  const { vectors, width, codes } = shape;
  if (![vectors, width, codes].every((value) => Number.isInteger(value) && value >= 1) || codes < 2) {
    throw new Error(`a vector-quantized node needs whole numbers of vectors >= 1, width >= 1 and codes >= 2 (got ${vectors}, ${width}, ${codes})`);
  }
  return {
    description: `vector-quantized ${vectors}×${width}, ${codes} codes${mode === 'nearest' ? ' (nearest)' : ''}`,
    inputWidth: vectors * width,
    outputWidth: vectors * width,
    parameterCount: codes * width,
    initialise(params: Float64Array, rng: Rng) {
      for (let index = 0; index < params.length; index++) params[index] = (2 * rng.nextUniform() - 1) / codes;
    },
    compile(context) {
      let rule: VectorQuantizerRule | null = null;
      if (mode === 'estimator') {
        rule = context.estimator.vectorQuantizer ?? null;
        if (!rule) throw new Error(`${context.estimator.id} defines no vectorQuantizer rule, so it cannot run at a vector-quantized node`);
      }
      const ruleParams = numericValues(withDefaults(context.estimator.params, context.estimatorParams));
      const { ops } = context;
      return {
        async forward(input, rows, params, rng, step) {
          const count = rows * vectors;
          const distances = await codeDistances((a, b, m, k, n, options) => ops.matmul(a, b, m, k, n, options), input, params, count, shape);
          const nearest = new Int32Array(count);
          for (let vector = 0; vector < count; vector++) nearest[vector] = nearestCode(distances, vector * codes, codes);
          const perVector = rule ? rule.exponentialsPerVector(codes) : 0;
          const exponentials = new Float64Array(count * perVector);
          rng.fillExponential(exponentials, exponentials.length);
          const pass: VectorQuantizerPass = { count, nearest, distances, exponentials, perVector, latents: Float64Array.from(input), codebook: Float64Array.from(params) };
          const output = new Float32Array(count * width);
          const h = new Float64Array(width);
          for (let vector = 0; vector < count; vector++) {
            if (rule) rule.forward(vectorOf(pass, vector, shape, ruleParams, step), h);
            else h.set(pass.codebook.subarray(nearest[vector] * width, (nearest[vector] + 1) * width));
            output.set(h, vector * width);
          }
          return { output, saved: pass };
        },
        async backward({ pass, outputGradient, rows, parameterGradient, wantInputGradient, step }) {
          if (!rule) throw new Error('a vector-quantized node in nearest mode has no backward pass (it is for evaluation)');
          const saved = pass.saved as VectorQuantizerPass;
          const latentGradient = new Float64Array(saved.count * width);
          const codebookGradient = new Float64Array(codes * width);
          const gradient = new Float64Array(width);
          for (let vector = 0; vector < saved.count; vector++) {
            gradient.set(outputGradient.subarray(vector * width, (vector + 1) * width));
            rule.backward(vectorOf(saved, vector, shape, ruleParams, step), gradient, 1 / rows, latentGradient.subarray(vector * width, (vector + 1) * width), codebookGradient);
          }
          parameterGradient?.set(codebookGradient);
          return wantInputGradient ? Float32Array.from(latentGradient) : null;
        },
      };
    },
  };
}
