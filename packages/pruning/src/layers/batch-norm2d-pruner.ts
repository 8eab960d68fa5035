/**
 * The built-in {@link LayerPruner} of `BatchNorm2d`.
 * @packageDocumentation
 */
import { BatchNorm2d } from '@lab/tensor';
import { loadGathered } from './gather-channels';
import type { ChannelParam, LayerPruner } from './layer-pruner';

/**
 * Prunes `BatchNorm2d` layers: channel `i` of the input is channel `i` of the output. The copy
 * keeps the slices of `weight` (γ, kind `scale`) and `bias` (β, kind `shift`) when the layer is
 * affine, and of the running statistics only when it tracks them (a layer built with
 * `trackRunningStats: false` has none; cf. Torch-Pruning #466). `num_batches_tracked` is copied.
 * @category Layers
 */
export const batchNorm2dPruner: LayerPruner<BatchNorm2d> = Object.freeze<LayerPruner<BatchNorm2d>>({
  name: 'batch-norm2d',
  matches: (m) => m instanceof BatchNorm2d,
  producer: () => false,
  couple(m: BatchNorm2d, _call, link) {
    for (let c = 0; c < m.numFeatures; c++) link(c, c);
  },
  params(m: BatchNorm2d, role): ChannelParam[] {
    if (role === 'in') return [];
    const out: ChannelParam[] = [];
    if (m.weight) out.push({ name: 'weight', kind: 'scale', variable: m.weight, view: [m.numFeatures], axis: 0 });
    if (m.bias) out.push({ name: 'bias', kind: 'shift', variable: m.bias, view: [m.numFeatures], axis: 0 });
    return out;
  },
  cost: (m: BatchNorm2d, w) => ({ params: m.affine ? 2 * w.out : 0, macsFraction: 1 }),
  prune(m: BatchNorm2d, keep, options) {
    const copy = new BatchNorm2d(keep.out.length, {
      eps: m.eps,
      momentum: m.momentum,
      affine: m.affine,
      trackRunningStats: m.trackRunningStats,
    });
    if (!options.fromScratch) {
      const g = [{ axis: 0, keep: keep.out }];
      loadGathered(copy, m, { weight: g, bias: g, running_mean: g, running_var: g });
    }
    return copy;
  },
});
