import { createRequire } from 'node:module';
import type { onnx as OnnxNamespace } from 'onnx-proto';

// onnx-proto is a CommonJS bundle of protobufjs classes; load it as such.
const { onnx } = createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxNamespace };

/**
 * The bytes of a one-node ONNX model C = op(A)·op(B) (the `Gemm` operator with `transA`/`transB`),
 * float32, with every dimension symbolic: one model (and one session) serves every shape.
 */
export function gemmModelBytes(transposeA: boolean, transposeB: boolean): Uint8Array {
  const float = onnx.TensorProto.DataType.FLOAT;
  const tensor = (name: string, dims: string[]): OnnxNamespace.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: float, shape: { dim: dims.map((dimParam) => ({ dimParam })) } } },
  });
  const flag = (name: string, value: boolean): OnnxNamespace.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INT, i: value ? 1 : 0 });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'estibench',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: `gemm${transposeA ? '-tA' : ''}${transposeB ? '-tB' : ''}`,
      node: [{ opType: 'Gemm', input: ['A', 'B'], output: ['C'], attribute: [flag('transA', transposeA), flag('transB', transposeB)] }],
      input: [tensor('A', transposeA ? ['K', 'M'] : ['M', 'K']), tensor('B', transposeB ? ['N', 'K'] : ['K', 'N'])],
      output: [tensor('C', ['M', 'N'])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
