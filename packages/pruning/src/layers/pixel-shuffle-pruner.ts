/**
 * The built-in {@link LayerPruner}s of `PixelShuffle` and `PixelUnshuffle`.
 * @packageDocumentation
 */
import { PixelShuffle, PixelUnshuffle } from '@lab/tensor';
import type { LayerPruner } from './layer-pruner';

/**
 * Couples channels through `PixelShuffle` (PyTorch order): output channel `c` is made of the
 * input channels `c·r² … c·r²+r²−1`, so pruning it removes those r² channels of the layer feeding
 * the shuffle. No parameters.
 * @category Layers
 */
export const pixelShufflePruner: LayerPruner<PixelShuffle> = Object.freeze<LayerPruner<PixelShuffle>>({
  name: 'pixel-shuffle',
  matches: (m) => m instanceof PixelShuffle,
  producer: () => false,
  couple(m: PixelShuffle, call, link) {
    const r2 = m.upscaleFactor * m.upscaleFactor;
    const c = call.outputShape[call.outputShape.length - 1];
    for (let o = 0; o < c; o++) for (let k = 0; k < r2; k++) link(o * r2 + k, o);
  },
  params: () => [],
  cost: () => ({ params: 0, macsFraction: 1 }),
});

/**
 * Couples channels through `PixelUnshuffle` (PyTorch order): input channel `c` becomes the output
 * channels `c·r² … c·r²+r²−1`. No parameters.
 * @category Layers
 */
export const pixelUnshufflePruner: LayerPruner<PixelUnshuffle> = Object.freeze<LayerPruner<PixelUnshuffle>>({
  name: 'pixel-unshuffle',
  matches: (m) => m instanceof PixelUnshuffle,
  producer: () => false,
  couple(m: PixelUnshuffle, call, link) {
    const r2 = m.downscaleFactor * m.downscaleFactor;
    const c = call.inputShape[call.inputShape.length - 1];
    for (let i = 0; i < c; i++) for (let k = 0; k < r2; k++) link(i, i * r2 + k);
  },
  params: () => [],
  cost: () => ({ params: 0, macsFraction: 1 }),
});
