// Side effects of importing this folder (and so `@lab/tensor`): tfjs-core's gradients and chained
// ops, lab's extra gradients (./register-gradients) and lab's wasm training kernels are registered,
// so `tf.variableGrads` of a conv net works on wasm in plain Node and in browsers.
import './register-gradients';
import { registerWasmKernels } from './register-wasm-kernels';

registerWasmKernels();

export { initBackend, backendInfo } from './init-backend';
export type { BackendInfo, InitBackendOptions } from './init-backend';
export { withWasmMemoryGuard } from './with-wasm-memory-guard';
