/**
 * `@lab/onnx`: export any traced `@lab/tensor` model to ONNX (NCHW inside, symbolic height and
 * width) and run it natively with onnxruntime-node.
 * @packageDocumentation
 */
export { ONNX_OPSET, exportOnnx, type ExportOnnxOptions, type ExportOnnxResult } from './export/export-onnx';
export { matMulOnnxModel } from './export/matmul-model';
export { OnnxSessionBase, type OnnxOutput, type OnnxSessionOptions } from './runtime/onnx-session-base';
export { OnnxSession } from './runtime/onnx-session';
export type { OrtRuntime, OrtSessionLike, OrtSessionOptionsLike, OrtTensorLike } from './runtime/ort-runtime';
