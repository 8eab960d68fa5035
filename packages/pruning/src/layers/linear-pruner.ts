/**
 * The built-in {@link LayerPruner} of `Linear`.
 * @packageDocumentation
 */
import { Linear } from '@lab/tensor';
import { loadGathered } from './gather-channels';
import type { ChannelParam, LayerPruner } from './layer-pruner';

/**
 * Prunes `Linear` layers: a producer whose output features are a new index space and whose input
 * features are pruned by the group feeding it (after a flatten, one channel owns several
 * features). Parameters per channel: `weight` (native `[in, out]`, axis 1 for outputs, axis 0 for
 * inputs) and `bias`. Multiply-accumulates scale with `in · out`.
 * @category Layers
 */
export const linearPruner: LayerPruner<Linear> = Object.freeze<LayerPruner<Linear>>({
  name: 'linear',
  matches: (m) => m instanceof Linear,
  producer: () => true,
  couple: () => undefined,
  params(m: Linear, role): ChannelParam[] {
    if (role === 'in') return [{ name: 'weight', kind: 'weight', variable: m.weight, view: m.weight.shape.slice(), axis: 0 }];
    const out: ChannelParam[] = [{ name: 'weight', kind: 'weight', variable: m.weight, view: m.weight.shape.slice(), axis: 1 }];
    if (m.bias) out.push({ name: 'bias', kind: 'bias', variable: m.bias, view: [m.outFeatures], axis: 0 });
    return out;
  },
  cost(m: Linear, w) {
    return {
      params: w.in * w.out + (m.hasBias ? w.out : 0),
      macsFraction: (w.in / m.inFeatures) * (w.out / m.outFeatures),
    };
  },
  prune(m: Linear, keep, options) {
    const copy = new Linear(keep.in.length, keep.out.length, { bias: m.hasBias, rng: options.rng });
    if (!options.fromScratch) {
      loadGathered(copy, m, {
        weight: [
          { axis: 0, keep: keep.out },
          { axis: 1, keep: keep.in },
        ],
        bias: [{ axis: 0, keep: keep.out }],
      });
    }
    return copy;
  },
});
