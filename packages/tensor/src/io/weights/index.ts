export type { TorchDtype, RawTensor, RawTensorData } from './raw-tensor';
export { isRawTensor, rawToInt32 } from './raw-tensor';
export type { SafetensorsContents, SafetensorsInput } from './safetensors';
export { readSafetensors, readSafetensorsFile, writeSafetensors, writeSafetensorsSync } from './safetensors';
export { readTorchCheckpoint, readTorchCheckpointFile } from './torch-checkpoint';
export type { ReadTorchStateDictOptions } from './read-torch-state-dict';
export { readTorchStateDict, READ_TORCH_STATE_DICT_DEFAULTS } from './read-torch-state-dict';
export { stateDictFromRaw, disposeStateDict } from './state-dict-from-raw';
