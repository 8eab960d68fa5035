/**
 * The built-in {@link LayerPruner} of `Flatten`.
 * @packageDocumentation
 */
import { Flatten } from '@lab/tensor';
import type { LayerPruner } from './layer-pruner';

/**
 * Couples channels through `Flatten` `[n, h, w, C] → [n, h·w·C]`: with PyTorch's channels-first
 * order (`torchOrder`, the default) channel `c` owns features `c·h·w … c·h·w+h·w−1`; in NHWC order
 * it owns features `c, c+C, c+2C, …`. A linear layer after the flatten then loses all the
 * features of a pruned channel. No parameters.
 * @category Layers
 */
export const flattenPruner: LayerPruner<Flatten> = Object.freeze<LayerPruner<Flatten>>({
  name: 'flatten',
  matches: (m) => m instanceof Flatten,
  producer: () => false,
  couple(m: Flatten, call, link) {
    const shape = call.inputShape;
    const c = shape[shape.length - 1];
    if (shape.length <= 2) {
      for (let i = 0; i < c; i++) link(i, i);
      return;
    }
    let spatial = 1;
    for (let d = 1; d < shape.length - 1; d++) spatial *= shape[d];
    for (let i = 0; i < c; i++) {
      for (let s = 0; s < spatial; s++) link(i, m.torchOrder ? i * spatial + s : s * c + i);
    }
  },
  params: () => [],
  cost: () => ({ params: 0, macsFraction: 1 }),
});
