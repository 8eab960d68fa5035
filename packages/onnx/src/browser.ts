/**
 * `@lab/onnx` for browsers: the same exporter, with sessions on onnxruntime-web.
 * @packageDocumentation
 */
export { ONNX_OPSET, exportOnnx, type ExportOnnxOptions, type ExportOnnxResult } from './export/export-onnx';
export { matMulOnnxModel } from './export/matmul-model';
export { OnnxSessionBase, type OnnxOutput, type OnnxSessionOptions } from './runtime/onnx-session-base';
export { OnnxSession } from './runtime/onnx-session-web';
export type { OrtRuntime, OrtSessionLike, OrtSessionOptionsLike, OrtTensorLike } from './runtime/ort-runtime';
