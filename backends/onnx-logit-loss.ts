import { createRequire } from 'node:module';
import type { onnx as OnnxNamespace } from 'onnx-proto';

// onnx-proto is a CommonJS bundle of protobufjs classes; load it as such.
const { onnx } = createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxNamespace };

/**
 * The bytes of an ONNX model of the Bernoulli log-loss with logits over [R × P] float32 arrays:
 * inputs `logits` z and `targets` x; outputs `negativeLogLikelihood` [R], float64, the row sums of
 * softplus(z) − x·z (each term float32, summed in float64), and `logitGradient` [R × P], float32,
 * σ(z) − x. onnxruntime's Softplus (x + log(1 + e^−x) above 0, log(1 + e^x) below) and Sigmoid are
 * vectorised and stable for large |z|.
 */
export function logitLossModelBytes(): Uint8Array {
  const { FLOAT, DOUBLE, INT64 } = onnx.TensorProto.DataType;
  const tensor = (name: string, elemType: number, dims: string[]): OnnxNamespace.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((dimParam) => ({ dimParam })) } } },
  });
  const node = (opType: string, output: string, input: string[], attribute: OnnxNamespace.IAttributeProto[] = []): OnnxNamespace.INodeProto => ({ opType, input, output: [output], attribute });
  const integer = (name: string, value: number): OnnxNamespace.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INT, i: value });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'estibench',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'bernoulli-logit-loss',
      node: [
        node('Softplus', 'softplus', ['logits']),
        node('Mul', 'targetTimesLogit', ['targets', 'logits']),
        node('Sub', 'terms', ['softplus', 'targetTimesLogit']),
        node('Cast', 'terms64', ['terms'], [integer('to', DOUBLE)]),
        node('ReduceSum', 'negativeLogLikelihood', ['terms64', 'pixelAxis'], [integer('keepdims', 0)]),
        node('Sigmoid', 'probabilities', ['logits']),
        node('Sub', 'logitGradient', ['probabilities', 'targets']),
      ],
      initializer: [{ name: 'pixelAxis', dataType: INT64, dims: [1], int64Data: [1] }],
      input: [tensor('logits', FLOAT, ['R', 'P']), tensor('targets', FLOAT, ['R', 'P'])],
      output: [tensor('negativeLogLikelihood', DOUBLE, ['R']), tensor('logitGradient', FLOAT, ['R', 'P'])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
