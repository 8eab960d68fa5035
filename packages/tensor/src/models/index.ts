export { ResNetCifar, resnetCifar, RESNET_CIFAR_DEFAULTS, RESNET_CIFAR_DEPTHS } from './resnet-cifar';
export type { ResNetCifarDepth, ResNetCifarOptions } from './resnet-cifar';
export { BasicBlockCifar, BASIC_BLOCK_CIFAR_DEFAULTS } from './basic-block-cifar';
export type { BasicBlockCifarOptions, CifarShortcut } from './basic-block-cifar';
