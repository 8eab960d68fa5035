/**
 * The leading layers of torchvision's VGG16/VGG19 `features` under their layer names.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, Module, type Rng, type TorchLayout } from '@lab/tensor';

/** Layer names of VGG16 and VGG19 up to `relu3_1` (the two nets agree up to there). */
export const VGG_LAYERS_TO_RELU3_1 = Object.freeze([
  'conv1_1',
  'relu1_1',
  'conv1_2',
  'relu1_2',
  'pool1',
  'conv2_1',
  'relu2_1',
  'conv2_2',
  'relu2_2',
  'pool2',
  'conv3_1',
  'relu3_1',
] as const);

/** One of {@link VGG_LAYERS_TO_RELU3_1}. @category Models */
export type VggLayerName = (typeof VGG_LAYERS_TO_RELU3_1)[number];

/** ImageNet normalisation buffers `mean`/`std`: native `[3]`, PyTorch `[1, 3, 1, 1]`. */
export const CHANNEL_BUFFER_LAYOUT: TorchLayout = Object.freeze({
  torchShape: (s: number[]) => [1, s[0], 1, 1],
  toTorch: (x: tf.Tensor) => tf.reshape(x, [1, x.size, 1, 1]),
  fromTorch: (x: tf.Tensor) => tf.reshape(x, [x.size]),
});

/** ImageNet mean and standard deviation of images in [0, 1] (torchvision). */
export const IMAGENET_MEAN = Object.freeze([0.485, 0.456, 0.406]);
/** See {@link IMAGENET_MEAN}. */
export const IMAGENET_STD = Object.freeze([0.229, 0.224, 0.225]);

/**
 * The VGG layers `conv1_1 … last` as one module whose convolutions are registered under their
 * layer names (`conv1_1.weight`), like the `OrderedDict` Sequentials of DATSR's
 * `ContrasExtractorLayer.model` and `VGGFeatureExtractor.vgg_net`. 3×3 convolutions with padding
 * 1, ReLU, 2×2 max pooling with stride 2.
 * @category Models
 */
export class VggSlice extends Module<[tf.Tensor4D], Partial<Record<VggLayerName, tf.Tensor4D>>> {
  /** Layer names in order, up to the last one run. */
  readonly layers: readonly VggLayerName[];
  /** Names whose outputs {@link VggSlice.forward} returns. */
  readonly outputs: readonly VggLayerName[];
  private readonly convs = new Map<string, Conv2d>();

  /**
   * @param last - the last layer run
   * @param outputs - layers whose outputs are returned
   * @param rng - initial weights (replaced by the pretrained ones in practice)
   */
  constructor(last: VggLayerName, outputs: readonly VggLayerName[], rng: Rng) {
    super();
    this.layers = VGG_LAYERS_TO_RELU3_1.slice(0, VGG_LAYERS_TO_RELU3_1.indexOf(last) + 1);
    this.outputs = outputs;
    let channels = 3;
    for (const name of this.layers) {
      if (!name.startsWith('conv')) continue;
      const out = name.startsWith('conv1') ? 64 : name.startsWith('conv2') ? 128 : 256;
      this.convs.set(name, this.registerModule(name, new Conv2d(channels, out, 3, { padding: 1, rng })));
      channels = out;
    }
  }

  /**
   * @param x - normalised image `[n, H, W, 3]`
   * @returns the requested layer outputs; the caller disposes them
   */
  forward(x: tf.Tensor4D): Partial<Record<VggLayerName, tf.Tensor4D>> {
    const names: VggLayerName[] = [];
    const kept = tf.tidy(() => {
      let y = x;
      const keep: tf.Tensor4D[] = [];
      for (const name of this.layers) {
        if (name.startsWith('conv')) y = this.convs.get(name)!.call(y) as tf.Tensor4D;
        else if (name.startsWith('relu')) y = tf.relu(y);
        else y = tf.maxPool(y, 2, 2, 'valid');
        if (this.outputs.includes(name)) {
          keep.push(y);
          names.push(name);
        }
      }
      return keep;
    });
    const out: Partial<Record<VggLayerName, tf.Tensor4D>> = {};
    names.forEach((name, i) => (out[name] = kept[i]));
    return out;
  }
}

/** Registers the `mean` and `std` buffers of ImageNet normalisation on `m`. */
export function registerImageNetBuffers(m: Module<any, any>): { mean: tf.Variable; std: tf.Variable } {
  return {
    mean: m.registerBuffer('mean', tf.tensor1d(IMAGENET_MEAN as number[]), CHANNEL_BUFFER_LAYOUT),
    std: m.registerBuffer('std', tf.tensor1d(IMAGENET_STD as number[]), CHANNEL_BUFFER_LAYOUT),
  };
}
