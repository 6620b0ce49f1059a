import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;

/**
 * What is wrong with a user's ONNX model (or a file beside it), in one line that names the file and
 * says how to fix it. It fails the model's cells only.
 */
export class OnnxModelError extends Error {
  override readonly name = 'OnnxModelError';
}

/** The node kinds an ONNX objective's input `h` can carry. */
export type OnnxNodeKind = 'bernoulli' | 'categorical';

/**
 * What estibench needs of a model, read from the file: the convention is one input `h` of shape
 * [batch, D] (Bernoulli units) or [batch, D, K] (categorical units, one-hot over K), float32; one
 * output `loss` of shape [batch]; optionally an output `grad` (dL/dh, the shape of `h`).
 */
export interface OnnxModelContract {
  /** The path as the user gave it (messages name it so). */
  readonly path: string;
  readonly absolutePath: string;
  /** SHA-256 of the file's bytes, hex: recorded with every cell. */
  readonly sha256: string;
  readonly nodeKind: OnnxNodeKind;
  /** Units D. */
  readonly units: number;
  /** Classes K per unit (1 for Bernoulli units). */
  readonly classes: number;
  /** Numbers per row of h: D, or D·K. */
  readonly width: number;
  /** The batch size the model was exported with when it is fixed (then it is fed exactly that many rows, padded), else null. */
  readonly fixedBatch: number | null;
  /** Whether the model has the `grad` output that straight-through and relaxed estimators need. */
  readonly hasGradient: boolean;
}

type ValueInfo = onnxProto.onnx.IValueInfoProto;
type Dimension = number | string | null;

const floatTypes: ReadonlyMap<number, string> = new Map([[DataType.FLOAT, 'float32'], [DataType.DOUBLE, 'float64']]);

function typeName(elemType: number | null | undefined): string {
  const name = elemType === null || elemType === undefined ? undefined : DataType[elemType];
  return name ? name.toLowerCase().replace(/^float$/, 'float32').replace(/^double$/, 'float64') : `type ${elemType}`;
}

/** Dimensions of a declared tensor: a number, a symbolic name, or null where nothing is declared; null when no shape is declared. */
function declaredShape(info: ValueInfo): Dimension[] | null {
  const dims = info.type?.tensorType?.shape?.dim;
  if (!info.type?.tensorType?.shape || !dims) return null;
  return dims.map((dim) => {
    // Decoded messages say which member of the oneof is set.
    const which = (dim as onnxProto.onnx.TensorShapeProto.Dimension).value;
    if (which === 'dimValue') return Number(String(dim.dimValue));
    return which === 'dimParam' && dim.dimParam ? dim.dimParam : null;
  });
}

function formatShape(shape: readonly Dimension[]): string {
  return `[${shape.map((dim) => (dim === null ? '?' : dim)).join(', ')}]`;
}

function decodeModel(bytes: Uint8Array, path: string): onnxProto.onnx.ModelProto {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new OnnxModelError(`model '${path}' is not an ONNX file (protobuf parsing failed: ${(error as Error).message.split('\n')[0]})`);
  }
  if (!model.graph || (model.graph.input ?? []).length === 0 || (model.graph.output ?? []).length === 0 || (model.graph.node ?? []).length === 0) {
    throw new OnnxModelError(`model '${path}' is not an ONNX file (no graph with inputs, outputs and nodes inside)`);
  }
  return model;
}

/** A fixed positive size, or an error naming the axis. */
function fixedSize(dim: Dimension, axis: string, path: string, shape: readonly Dimension[]): number {
  if (typeof dim === 'number' && Number.isInteger(dim) && dim > 0) return dim;
  throw new OnnxModelError(
    `model '${path}': input h has shape ${formatShape(shape)}, whose ${axis} is not a fixed size; export it with a fixed ${axis} (only the batch axis may be dynamic)`,
  );
}

function checkOutputType(info: ValueInfo, path: string): void {
  const elemType = info.type?.tensorType?.elemType;
  if (!info.type?.tensorType) throw new OnnxModelError(`model '${path}': output ${info.name} must be a tensor`);
  if (!floatTypes.has(elemType ?? -1)) {
    throw new OnnxModelError(`model '${path}': output ${info.name} must be float32 (or float64), got ${typeName(elemType)}`);
  }
}

/** Checks the declared shape of `grad` (when declared) against h's. */
function checkGradientShape(info: ValueInfo, hShape: readonly Dimension[], path: string): void {
  const shape = declaredShape(info);
  if (!shape) return;
  const matches = shape.length === hShape.length && shape.every((dim, axis) => axis === 0 || dim === null || typeof dim === 'string' || dim === hShape[axis]);
  if (!matches) throw new OnnxModelError(`model '${path}': output grad must have the shape of h, ${formatShape(hShape)}, got ${formatShape(shape)}`);
}

/**
 * Reads a model file and checks it against the convention (names, dtypes, shapes as declared). The
 * outputs' actual shapes and values are checked again when the model runs.
 * @param node `auto` (the rank of h decides), `bernoulli` or `categorical` (must match the rank of h).
 * @throws OnnxModelError with one line saying what is wrong and how to fix it.
 */
export function readModelContract(path: string, node: string): OnnxModelContract {
  const absolutePath = resolve(path);
  let bytes: Buffer;
  try {
    // A FIFO or a device would block the read (or never end): only a regular file is a model.
    const stats = statSync(absolutePath);
    if (!stats.isFile()) throw new OnnxModelError(`model file '${path}' is ${stats.isDirectory() ? 'a directory' : stats.isFIFO() ? 'a FIFO' : 'not a regular file'}; give the path of an .onnx file`);
    bytes = readFileSync(absolutePath);
  } catch (error) {
    if (error instanceof OnnxModelError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new OnnxModelError(`model file '${path}' not found (resolved to ${absolutePath})`);
    throw new OnnxModelError(`cannot read model file '${path}': ${code ?? (error as Error).message}`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const graph = decodeModel(bytes, path).graph!;
  const initializers = new Set((graph.initializer ?? []).map((tensor) => tensor.name));
  // Before IR version 4 initializers were listed among the inputs too: they are not fed.
  const inputs = (graph.input ?? []).filter((input) => !initializers.has(input.name ?? ''));
  const outputs = graph.output ?? [];
  const inputNames = inputs.map((input) => input.name).join(', ') || 'none';
  const input = inputs.find((candidate) => candidate.name === 'h');
  if (!input) throw new OnnxModelError(`model '${path}' has no input named h (its inputs: ${inputNames}); name the node's input h when exporting (PyTorch: input_names=['h'])`);
  const extra = inputs.filter((candidate) => candidate.name !== 'h').map((candidate) => candidate.name);
  if (extra.length > 0) throw new OnnxModelError(`model '${path}' has inputs estibench cannot feed: ${extra.join(', ')} (only h is fed; fold the others into the model as constants)`);
  if (!input.type?.tensorType) throw new OnnxModelError(`model '${path}': input h must be a tensor`);
  if (input.type.tensorType.elemType !== DataType.FLOAT) {
    throw new OnnxModelError(`model '${path}': input h must be float32, got ${typeName(input.type.tensorType.elemType)}; export the model in float32 (PyTorch: model.float())`);
  }
  const hShape = declaredShape(input);
  if (!hShape || (hShape.length !== 2 && hShape.length !== 3)) {
    throw new OnnxModelError(`model '${path}': input h must have shape [batch, D] (Bernoulli units) or [batch, D, K] (categorical units), got ${hShape ? formatShape(hShape) : 'no declared shape'}`);
  }
  const rankKind: OnnxNodeKind = hShape.length === 2 ? 'bernoulli' : 'categorical';
  if (node !== 'auto' && node !== rankKind) {
    throw new OnnxModelError(`model '${path}': onnx.node=${node} but input h has shape ${formatShape(hShape)}, which is ${rankKind} ([batch, D] is bernoulli, [batch, D, K] categorical)`);
  }
  const units = fixedSize(hShape[1], 'D axis (1)', path, hShape);
  const classes = hShape.length === 3 ? fixedSize(hShape[2], 'K axis (2)', path, hShape) : 1;
  const outputNames = outputs.map((output) => output.name).join(', ');
  const loss = outputs.find((output) => output.name === 'loss');
  if (!loss) throw new OnnxModelError(`model '${path}' has no output named loss (its outputs: ${outputNames}); name the objective's output loss when exporting (PyTorch: output_names=['loss'])`);
  checkOutputType(loss, path);
  const lossShape = declaredShape(loss);
  if (lossShape && lossShape.length !== 1) {
    throw new OnnxModelError(`model '${path}': output loss must have shape [batch] (one objective value per row of h), got ${formatShape(lossShape)}; reduce or squeeze it in the model`);
  }
  const gradient = outputs.find((output) => output.name === 'grad');
  if (gradient) {
    checkOutputType(gradient, path);
    checkGradientShape(gradient, hShape, path);
  }
  const batch = hShape[0];
  return {
    path, absolutePath, sha256, nodeKind: rankKind, units, classes, width: units * classes,
    fixedBatch: typeof batch === 'number' && batch > 0 ? batch : null,
    hasGradient: gradient !== undefined,
  };
}
