/**
 * The built-in {@link LayerPruner} of `GroupNorm`.
 * @packageDocumentation
 */
import { GroupNorm } from '@lab/tensor';
import { loadGathered } from './gather-channels';
import type { ChannelParam, LayerPruner } from './layer-pruner';

/**
 * Prunes `GroupNorm` layers by whole normalisation groups: the channels of one group are
 * normalised together, so they are coupled and go together, and the copy has fewer groups
 * (every other group is normalised exactly as before). Parameters: `weight` (scale) and `bias`
 * (shift) when affine.
 * @category Layers
 */
export const groupNormPruner: LayerPruner<GroupNorm> = Object.freeze<LayerPruner<GroupNorm>>({
  name: 'group-norm',
  matches: (m) => m instanceof GroupNorm,
  producer: () => false,
  couple(m: GroupNorm, _call, link) {
    const per = m.numChannels / m.numGroups;
    for (let g = 0; g < m.numGroups; g++) {
      for (let i = 0; i < per; i++) link(g * per + i, g * per);
      for (let o = 1; o < per; o++) link(g * per, g * per + o);
    }
  },
  params(m: GroupNorm, role): ChannelParam[] {
    if (role === 'in') return [];
    const out: ChannelParam[] = [];
    if (m.weight) out.push({ name: 'weight', kind: 'scale', variable: m.weight, view: [m.numChannels], axis: 0 });
    if (m.bias) out.push({ name: 'bias', kind: 'shift', variable: m.bias, view: [m.numChannels], axis: 0 });
    return out;
  },
  cost: (m: GroupNorm, w) => ({ params: m.affine ? 2 * w.out : 0, macsFraction: 1 }),
  prune(m: GroupNorm, keep, options) {
    const per = m.numChannels / m.numGroups;
    const copy = new GroupNorm(keep.out.length / per, keep.out.length, { eps: m.eps, affine: m.affine });
    if (!options.fromScratch) {
      const g = [{ axis: 0, keep: keep.out }];
      loadGathered(copy, m, { weight: g, bias: g });
    }
    return copy;
  },
});
