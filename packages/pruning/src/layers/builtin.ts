/**
 * The built-in layer pruners and container adapters.
 * @packageDocumentation
 */
import { basicBlockCifarAdapter } from './basic-block-cifar-adapter';
import { batchNorm2dPruner } from './batch-norm2d-pruner';
import { conv2dPruner } from './conv2d-pruner';
import { flattenPruner } from './flatten-pruner';
import { groupNormPruner } from './group-norm-pruner';
import type { ContainerAdapter, LayerPruner } from './layer-pruner';
import { linearPruner } from './linear-pruner';
import { pixelShufflePruner, pixelUnshufflePruner } from './pixel-shuffle-pruner';
import { preluPruner } from './prelu-pruner';

/**
 * The layer pruners {@link buildDependencyGraph} uses after any custom ones: `Conv2d` (plain,
 * grouped, depthwise), `Linear`, `BatchNorm2d`, `GroupNorm`, `PReLU`, `PixelShuffle`,
 * `PixelUnshuffle` and `Flatten`. Every other module is traced through: its tensor operations
 * are followed kernel by kernel.
 * @category Layers
 */
export const BUILTIN_LAYER_PRUNERS: readonly LayerPruner<any>[] = Object.freeze([
  conv2dPruner,
  linearPruner,
  batchNorm2dPruner,
  groupNormPruner,
  preluPruner,
  pixelShufflePruner,
  pixelUnshufflePruner,
  flattenPruner,
]);

/** The container adapters {@link prune} uses after any custom ones: `BasicBlockCifar`. @category Layers */
export const BUILTIN_CONTAINER_ADAPTERS: readonly ContainerAdapter<any>[] = Object.freeze([basicBlockCifarAdapter]);
