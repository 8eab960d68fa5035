/**
 * The built-in {@link LayerPruner} of `PReLU`.
 * @packageDocumentation
 */
import { PReLU } from '@lab/tensor';
import { loadGathered } from './gather-channels';
import type { ChannelParam, LayerPruner } from './layer-pruner';

/**
 * Prunes `PReLU` layers: channel `i` in is channel `i` out; with one slope per channel the copy
 * keeps the slopes of the kept channels (kind `scale`), with a single shared slope it is copied.
 * @category Layers
 */
export const preluPruner: LayerPruner<PReLU> = Object.freeze<LayerPruner<PReLU>>({
  name: 'prelu',
  matches: (m) => m instanceof PReLU,
  producer: () => false,
  couple(_m: PReLU, call, link) {
    const c = call.inputShape[call.inputShape.length - 1];
    for (let i = 0; i < c; i++) link(i, i);
  },
  params(m: PReLU, role): ChannelParam[] {
    if (role === 'in' || m.numSlopes === 1) return [];
    return [{ name: 'weight', kind: 'scale', variable: m.weight, view: [m.numSlopes], axis: 0 }];
  },
  cost: (m: PReLU, w) => ({ params: m.numSlopes === 1 ? 1 : w.out, macsFraction: 1 }),
  prune(m: PReLU, keep, options) {
    if (m.numSlopes === 1) {
      const copy = new PReLU(1);
      loadGathered(copy, m, {});
      return copy;
    }
    const copy = new PReLU(keep.out.length);
    if (!options.fromScratch) loadGathered(copy, m, { weight: [{ axis: 0, keep: keep.out }] });
    return copy;
  },
});
