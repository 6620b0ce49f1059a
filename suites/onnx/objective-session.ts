import type { InferenceSession } from 'onnxruntime-node';
import { isMissingPackage, missingPackageMessage } from '../../core/optional-packages.js';
import { OnnxModelError, type OnnxModelContract } from './model-contract.js';

/** L of every row of h, and dL/dh of every row when it was asked for. */
export interface ObjectiveBatch {
  /** [rows] */
  readonly value: Float64Array;
  /** [rows × width], or null. */
  readonly gradient: Float64Array | null;
}

/** A user's ONNX objective, open on one execution provider. */
export interface OnnxObjective {
  /** The objective (and dL/dh when `wantGradient`) of `rows` rows of h, [rows × width] row-major. */
  evaluate(h: ArrayLike<number>, rows: number, wantGradient: boolean): Promise<ObjectiveBatch>;
  /** Frees the session (its native memory); the objective cannot run afterwards. */
  release(): Promise<void>;
}

/** Opens a model's objective on an execution provider: one call per cell (tests count them). */
export type OpenObjective = (contract: OnnxModelContract, provider: string) => Promise<OnnxObjective>;

/** Numbers of h per model run when the batch axis is dynamic: 16 MB of float32, whatever D is. */
const numbersPerRun = 1 << 22;

/** The first few numbers of a row, for messages. */
function rowPreview(h: ArrayLike<number>, row: number, width: number): string {
  const shown = Math.min(width, 12);
  const values = Array.from({ length: shown }, (_, index) => Number(h[row * width + index].toPrecision(4)));
  return `[${values.join(', ')}${width > shown ? ', …' : ''}]`;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0].trim();
}

/** The model on onnxruntime-node: rows of h fed in runs of at most `numbersPerRun` numbers (or the model's fixed batch, padded). */
class OrtObjective implements OnnxObjective {
  private released = false;

  constructor(
    private readonly session: InferenceSession,
    private readonly makeTensor: (data: Float32Array, dims: number[]) => unknown,
    private readonly contract: OnnxModelContract,
  ) {}

  async evaluate(h: ArrayLike<number>, rows: number, wantGradient: boolean): Promise<ObjectiveBatch> {
    if (this.released) throw new Error(`the session of model '${this.contract.path}' was released`);
    const { width, fixedBatch, units, classes, nodeKind } = this.contract;
    const value = new Float64Array(rows);
    const gradient = wantGradient ? new Float64Array(rows * width) : null;
    const runRows = fixedBatch ?? Math.max(1, Math.floor(numbersPerRun / width));
    const fetches = wantGradient ? ['loss', 'grad'] : ['loss'];
    for (let first = 0; first < rows; first += runRows) {
      const count = Math.min(runRows, rows - first);
      // A fixed batch axis gets exactly its size: the rows beyond `count` are zeros, and their outputs are dropped.
      const fed = fixedBatch ?? count;
      const data = new Float32Array(fed * width);
      for (let index = 0; index < count * width; index++) data[index] = h[first * width + index];
      const dims = nodeKind === 'bernoulli' ? [fed, units] : [fed, units, classes];
      let outputs: InferenceSession.ReturnType;
      try {
        outputs = await this.session.run({ h: this.makeTensor(data, dims) as never }, fetches);
      } catch (error) {
        throw new OnnxModelError(`model '${this.contract.path}' failed to run on h of shape [${dims.join(', ')}]: ${firstLine(error)}`);
      }
      this.copyOutput(outputs, 'loss', [fed], value, first, count, 1, h);
      if (gradient) this.copyOutput(outputs, 'grad', dims, gradient, first, count, width, h);
    }
    return { value, gradient };
  }

  /** Copies the first `count` rows of an output after checking its shape and that every value is finite. */
  private copyOutput(
    outputs: InferenceSession.ReturnType, name: string, expectedDims: number[], target: Float64Array, first: number, count: number, perRow: number,
    h: ArrayLike<number>,
  ): void {
    const { path, width } = this.contract;
    const tensor = outputs[name];
    const dims = Array.from(tensor.dims);
    if (dims.length !== expectedDims.length || dims.some((dim, axis) => dim !== expectedDims[axis])) {
      const wanted = name === 'loss' ? '[batch]' : 'the shape of h';
      throw new OnnxModelError(`model '${path}': output ${name} has shape [${dims.join(', ')}] for h of ${expectedDims[0]} rows; it must be ${wanted}, [${expectedDims.join(', ')}]`);
    }
    if (tensor.type !== 'float32' && tensor.type !== 'float64') throw new OnnxModelError(`model '${path}': output ${name} must be float32 (or float64), got ${tensor.type}`);
    const data = tensor.data as Float32Array | Float64Array;
    const offset = first * perRow;
    for (let index = 0; index < count * perRow; index++) {
      const number = data[index];
      if (!Number.isFinite(number)) {
        const row = first + Math.floor(index / perRow);
        throw new OnnxModelError(`model '${path}' returned ${name} = ${number} for h = ${rowPreview(h, row, width)}; the objective must be finite for every h the node can produce`);
      }
      target[offset + index] = number;
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}

/**
 * Opens a model on onnxruntime-node with one execution provider. onnxruntime-node is loaded here, on
 * first use, so that runs without an ONNX suite never load its native library.
 */
export const openOrtObjective: OpenObjective = async (contract, provider) => {
  let ort: typeof import('onnxruntime-node');
  try {
    ort = await import('onnxruntime-node');
  } catch (error) {
    throw isMissingPackage(error, 'onnxruntime-node') ? new OnnxModelError(missingPackageMessage('onnxruntime-node')) : error;
  }
  let session: InferenceSession;
  try {
    // Severity 4 (fatal only): a failure reaches the cell's result as one line; onnxruntime's own log would repeat it.
    session = await ort.InferenceSession.create(contract.absolutePath, { executionProviders: [provider], logSeverityLevel: 4 });
  } catch (error) {
    throw new OnnxModelError(`onnxruntime could not load model '${contract.path}' on provider ${provider}: ${firstLine(error)}`);
  }
  return new OrtObjective(session, (data, dims) => new ort.Tensor('float32', data, dims), contract);
};
