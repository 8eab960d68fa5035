/**
 * The subset of ONNX's protobuf messages the exporter writes (ModelProto, GraphProto, NodeProto,
 * TensorProto, ValueInfoProto, AttributeProto), with field numbers from `onnx/onnx.proto`.
 * @packageDocumentation
 */
import { ProtobufWriter } from './protobuf-writer';

/** Element types the exporter writes, as named by tfjs. @category ONNX model */
export type OnnxDataType = 'float32' | 'int32' | 'int64' | 'bool';

/** `TensorProto.DataType` codes. */
const DATA_TYPE_CODES: Record<OnnxDataType, number> = { float32: 1, int32: 6, int64: 7, bool: 9 };

/** The ONNX `TensorProto.DataType` code of a tfjs-style element type. @internal */
export function onnxDataTypeCode(t: OnnxDataType): number {
  return DATA_TYPE_CODES[t];
}

/** A constant tensor (an initializer or a `Constant` value). @internal */
export interface OnnxTensor {
  readonly name: string;
  readonly dataType: OnnxDataType;
  readonly dims: readonly number[];
  readonly data: Float32Array | Int32Array | BigInt64Array | Uint8Array;
}

/** One node attribute. @internal */
export type OnnxAttribute =
  | { readonly name: string; readonly type: 'int'; readonly value: number }
  | { readonly name: string; readonly type: 'float'; readonly value: number }
  | { readonly name: string; readonly type: 'string'; readonly value: string }
  | { readonly name: string; readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly name: string; readonly type: 'floats'; readonly value: readonly number[] };

/** One operator call. @internal */
export interface OnnxNode {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly OnnxAttribute[];
}

/** A graph input or output: name, element type and shape (a string is a symbolic dimension). @internal */
export interface OnnxValueInfo {
  readonly name: string;
  readonly dataType: OnnxDataType;
  readonly dims: readonly (number | string)[];
}

/** A whole model. @internal */
export interface OnnxModel {
  readonly irVersion: number;
  readonly opset: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly graphName: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7 } as const;

function writeTensor(w: ProtobufWriter, t: OnnxTensor): void {
  if (t.dims.length > 0) w.packedInts(1, t.dims);
  w.int(2, DATA_TYPE_CODES[t.dataType]);
  w.string(8, t.name);
  // raw_data is little-endian; every platform Node and browsers run on is little-endian.
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function writeAttribute(w: ProtobufWriter, a: OnnxAttribute): void {
  w.string(1, a.name);
  switch (a.type) {
    case 'float':
      w.float(2, a.value);
      break;
    case 'int':
      w.int(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'floats':
      w.packedFloats(7, a.value);
      break;
    case 'ints':
      w.packedInts(8, a.value);
      break;
  }
  w.int(20, ATTRIBUTE_TYPE[a.type]);
}

function writeNode(w: ProtobufWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const a of n.attributes) w.message(5, (m) => writeAttribute(m, a));
}

function writeValueInfo(w: ProtobufWriter, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, DATA_TYPE_CODES[v.dataType]);
      tensor.message(2, (shape) => {
        for (const d of v.dims) {
          shape.message(1, (dim) => {
            if (typeof d === 'number') dim.int(1, d);
            else dim.string(2, d);
          });
        }
      });
    }),
  );
}

/** Serialises a model to ONNX protobuf bytes. @internal */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new ProtobufWriter();
  w.int(1, model.irVersion);
  w.string(2, model.producerName);
  w.string(3, model.producerVersion);
  w.message(7, (g) => {
    for (const n of model.nodes) g.message(1, (m) => writeNode(m, n));
    g.string(2, model.graphName);
    for (const t of model.initializers) g.message(5, (m) => writeTensor(m, t));
    for (const v of model.inputs) g.message(11, (m) => writeValueInfo(m, v));
    for (const v of model.outputs) g.message(12, (m) => writeValueInfo(m, v));
  });
  w.message(8, (o) => {
    o.string(1, '');
    o.int(2, model.opset);
  });
  return w.finish().slice();
}
