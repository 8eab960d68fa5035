/**
 * The `conv_layer` helper of the IMDN, RFDN and RLFN reference code.
 * @packageDocumentation
 */
import { Conv2d, type Rng } from '@lab/tensor';

/** Options of {@link convLayer}. @category Models */
export interface ConvLayerOptions {
  /** Stride. @defaultValue 1 */
  stride?: number;
  /** Whether the convolution has a bias. @defaultValue true */
  bias?: boolean;
  /** Generator of the initial weights. @defaultValue the global generator */
  rng?: Rng;
}

/**
 * A convolution padded to keep the spatial size at stride 1: `Conv2d(in, out, k)` with zero
 * padding `⌊(k − 1) / 2⌋`, as `conv_layer` in Zheng222/IMDN `model/block.py`,
 * NTIRE2022_ESR `models/rfdn_baseline/block.py` and `models/team04_rlfn.py` (which writes
 * `⌊(k − stride) / 2⌋`, the same at stride 1, the only stride it uses).
 * @param inChannels - input channels
 * @param outChannels - output channels
 * @param kernelSize - odd kernel size (1 or 3 in these networks)
 * @param options - see {@link ConvLayerOptions}
 * @returns a new {@link Conv2d}; the caller owns it
 * @category Models
 */
export function convLayer(inChannels: number, outChannels: number, kernelSize: number, options: ConvLayerOptions = {}): Conv2d {
  return new Conv2d(inChannels, outChannels, kernelSize, {
    padding: Math.floor((kernelSize - 1) / 2),
    stride: options.stride ?? 1,
    bias: options.bias ?? true,
    rng: options.rng,
  });
}
