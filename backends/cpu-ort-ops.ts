import type { InferenceSession } from 'onnxruntime-node';
import { errorMessage } from '../core/errors.js';
import { isMissingPackage, optionalPackages } from '../core/optional-packages.js';
import type { TensorOps } from '../core/suite.js';
import { createJsTensorOps } from './cpu-ops.js';
import { gemmModelBytes } from './onnx-gemm.js';
import { logitLossModelBytes } from './onnx-logit-loss.js';

/**
 * Below this many multiply-adds a product runs in plain JavaScript: a session run costs about 9 µs,
 * which the JavaScript loop beats only for products of a few thousand multiply-adds (measured with
 * onnxruntime-node 1.30 on 2 cores: 160×10×2 took 7 µs in JS and 9 µs in ORT; 8×64×64, 48 µs and 10 µs;
 * 100×784×256, 25 ms and 0.26 ms).
 */
export const smallestOrtProduct = 4096;

/** The CPU backend's tensor operations, with the sessions they hold. */
export interface CpuTensorOps extends TensorOps {
  /** What runs the large products: `onnxruntime-node <version> (MLAS)`, or why it could not load. */
  engine(): string;
  /** Releases the ORT sessions. */
  dispose(): Promise<void>;
}

type OrtModule = typeof import('onnxruntime-node');

/**
 * Matrix products on onnxruntime-node's CPU provider (MLAS kernels): one `Gemm` session per pair of
 * transpose flags, every dimension symbolic, created on first use with `threads` intra-op threads and
 * released by `dispose`; products below `smallestOrtProduct` multiply-adds, and every product when
 * onnxruntime-node cannot load here, run in plain JavaScript (the loading error is kept in `engine()`).
 * The Bernoulli log-loss (`bernoulliLogitLoss`, see onnx-logit-loss.ts) runs as a session of its own,
 * or answers null without onnxruntime-node.
 */
export function createCpuTensorOps(threads: number): CpuTensorOps {
  const js = createJsTensorOps();
  const sessions = new Map<string, Promise<InferenceSession>>();
  let runtime: Promise<OrtModule | null> | null = null;
  let engine = 'JavaScript loops (onnxruntime-node not loaded yet)';

  const loadRuntime = (): Promise<OrtModule | null> => {
    runtime ??= import('onnxruntime-node').then(
      (module) => {
        const ort = ((module as { default?: OrtModule }).default ?? module) as OrtModule;
        engine = `onnxruntime-node ${ort.env.versions?.node ?? ort.env.versions?.common ?? ''} (MLAS), ${threads} intra-op threads`.replace('  ', ' ');
        return ort;
      },
      (error: unknown) => {
        engine = isMissingPackage(error, 'onnxruntime-node')
          ? `JavaScript loops (onnxruntime-node is not installed; for faster large products: ${optionalPackages['onnxruntime-node'].install})`
          : `JavaScript loops (onnxruntime-node did not load: ${errorMessage(error)})`;
        return null;
      },
    );
    return runtime;
  };

  const session = (ort: OrtModule, key: string, modelBytes: () => Uint8Array): Promise<InferenceSession> => {
    let created = sessions.get(key);
    if (!created) {
      created = ort.InferenceSession.create(modelBytes(), {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        // ORT's pool threads spin between runs by default and take the core that the JavaScript between
        // products needs: a training step of mnist-quantized-mlp took 9–11 ms with spinning, 5 ms without.
        extra: { session: { intra_op: { allow_spinning: '0' } } },
      });
      sessions.set(key, created);
    }
    return created;
  };

  return {
    async matmul(a, b, m, k, n, options = {}) {
      if (m * k * n < smallestOrtProduct) return js.matmul(a, b, m, k, n, options);
      const ort = await loadRuntime();
      if (!ort) return js.matmul(a, b, m, k, n, options);
      const transposeA = options.transposeA ?? false;
      const transposeB = options.transposeB ?? false;
      const feeds = {
        A: new ort.Tensor('float32', a.length === m * k ? a : a.subarray(0, m * k), transposeA ? [k, m] : [m, k]),
        B: new ort.Tensor('float32', b.length === k * n ? b : b.subarray(0, k * n), transposeB ? [n, k] : [k, n]),
      };
      const result = await (await session(ort, `gemm:${transposeA}:${transposeB}`, () => gemmModelBytes(transposeA, transposeB))).run(feeds);
      return result.C.data as Float32Array;
    },
    async bernoulliLogitLoss(logits, targets, rows, width) {
      const ort = await loadRuntime();
      if (!ort) return null;
      const matrix = (data: Float32Array) => new ort.Tensor('float32', data.length === rows * width ? data : data.subarray(0, rows * width), [rows, width]);
      const result = await (await session(ort, 'logit-loss', logitLossModelBytes)).run({ logits: matrix(logits), targets: matrix(targets) });
      return { negativeLogLikelihood: result.negativeLogLikelihood.data as Float64Array, logitGradient: result.logitGradient.data as Float32Array };
    },
    engine: () => engine,
    async dispose() {
      const open = [...sessions.values()];
      sessions.clear();
      for (const created of open) await (await created).release();
    },
  };
}
