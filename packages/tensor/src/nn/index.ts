export { Module, IDENTITY_LAYOUT, checkInput } from './module';
export type { TorchLayout, ForwardHook, HookHandle, LoadStateDictOptions, LoadStateDictResult, StateDict } from './module';
export {
  computeFans,
  kaimingUniform,
  kaimingNormal,
  xavierUniform,
  xavierNormal,
  truncNormal,
  uniform,
  TRUNC_NORMAL_DEFAULTS,
} from './init';
export type { Fans, KaimingOptions, XavierOptions, TruncNormalOptions } from './init';
export { CONV2D_LAYOUT, DEPTHWISE_LAYOUT, LINEAR_LAYOUT, depthwiseLayout } from './layouts';
export { Conv2d, CONV2D_DEFAULTS } from './conv2d';
export type { Conv2dOptions, Conv2dPadding } from './conv2d';
export { Linear } from './linear';
export type { LinearOptions } from './linear';
export { BatchNorm2d, BATCH_NORM2D_DEFAULTS } from './batch-norm2d';
export type { BatchNorm2dOptions } from './batch-norm2d';
export { LayerNorm } from './layer-norm';
export type { LayerNormOptions } from './layer-norm';
export { GroupNorm } from './group-norm';
export type { GroupNormOptions } from './group-norm';
export { Dropout } from './dropout';
export type { DropoutOptions } from './dropout';
export { ReLU, ReLU6, LeakyReLU, PReLU, GELU, SiLU, Hardswish, Sigmoid, Tanh, Identity } from './activations';
export type { GELUOptions } from './activations';
export { PixelShuffle } from './pixel-shuffle';
export { PixelUnshuffle } from './pixel-unshuffle';
export { Upsample } from './upsample';
export type { UpsampleOptions } from './upsample';
export { MaxPool2d } from './max-pool2d';
export type { MaxPool2dOptions } from './max-pool2d';
export { AvgPool2d } from './avg-pool2d';
export type { AvgPool2dOptions } from './avg-pool2d';
export { AdaptiveAvgPool2d } from './adaptive-avg-pool2d';
export { GlobalAvgPool2d } from './global-avg-pool2d';
export type { GlobalAvgPool2dOptions } from './global-avg-pool2d';
export { Flatten } from './flatten';
export type { FlattenOptions } from './flatten';
export { Sequential } from './sequential';
export { ModuleList } from './module-list';
