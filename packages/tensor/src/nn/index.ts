export { Module, IDENTITY_LAYOUT, checkInput } from './module';
export type { TorchLayout, ForwardHook, HookHandle, LoadStateDictOptions, LoadStateDictResult, StateDict } from './module';
