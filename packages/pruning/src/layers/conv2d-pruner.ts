/**
 * The built-in {@link LayerPruner} of `Conv2d`: plain, grouped and depthwise convolutions.
 * @packageDocumentation
 */
import { Conv2d } from '@lab/tensor';
import { loadGathered } from './gather-channels';
import type { ChannelParam, LayerPruner } from './layer-pruner';

/**
 * Whether a convolution is depthwise, read from its declared configuration: `groups` equals the
 * input channels and is above 1 (so a 1→1 or a 1→m convolution with `groups = 1` is a plain one,
 * whatever its channel counts; cf. Torch-Pruning #126/#179).
 * @param conv - the layer
 * @returns true for a depthwise convolution (any channel multiplier)
 * @category Layers
 */
export function isDepthwise(conv: Conv2d): boolean {
  return conv.groups > 1 && conv.groups === conv.inChannels;
}

/**
 * Prunes `Conv2d` layers. A plain convolution (`groups = 1`) is a producer: its output channels
 * are a new index space and its input channels are pruned by the group of whatever feeds it. A
 * grouped or depthwise convolution (`groups > 1`) couples each of its groups — the input channels
 * `[g·cin/G, (g+1)·cin/G)` with the output channels `[g·cout/G, (g+1)·cout/G)` — so a channel of
 * its input group is removed only as a whole conv group, and the copy has fewer `groups`
 * (a depthwise layer with multiplier m loses input channel c together with outputs c·m … c·m+m−1).
 *
 * Parameters per channel: output side `weight` (native HWIO `[kh, kw, cin/G, cout]`, depthwise
 * viewed as `[kh, kw, cin·m]`) and `bias`; input side `weight` on axis 2 for `groups = 1` only
 * (grouped weights are covered by the output side). Multiply-accumulates scale with
 * `cout · cin/G`.
 * @category Layers
 */
export const conv2dPruner: LayerPruner<Conv2d> = Object.freeze<LayerPruner<Conv2d>>({
  name: 'conv2d',
  matches: (m) => m instanceof Conv2d,
  producer: (m: Conv2d) => m.groups === 1,
  couple(m: Conv2d, _call, link) {
    if (m.groups === 1) return;
    const gi = m.inChannels / m.groups;
    const go = m.outChannels / m.groups;
    for (let g = 0; g < m.groups; g++) {
      for (let i = 0; i < gi; i++) link(g * gi + i, g * go);
      for (let o = 1; o < go; o++) link(g * gi, g * go + o);
    }
  },
  params(m: Conv2d, role): ChannelParam[] {
    const [kh, kw] = m.kernelSize;
    if (role === 'in') {
      return m.groups === 1 ? [{ name: 'weight', kind: 'weight', variable: m.weight, view: m.weight.shape.slice(), axis: 2 }] : [];
    }
    const out: ChannelParam[] = isDepthwise(m)
      ? [{ name: 'weight', kind: 'weight', variable: m.weight, view: [kh, kw, m.outChannels], axis: 2 }]
      : [{ name: 'weight', kind: 'weight', variable: m.weight, view: m.weight.shape.slice(), axis: 3 }];
    if (m.bias) out.push({ name: 'bias', kind: 'bias', variable: m.bias, view: [m.outChannels], axis: 0 });
    return out;
  },
  cost(m: Conv2d, w) {
    const [kh, kw] = m.kernelSize;
    const perGroupIn = m.inChannels / m.groups;
    const groups = m.groups === 1 ? 1 : w.in / perGroupIn;
    const cinPerGroup = w.in / groups;
    return {
      params: kh * kw * cinPerGroup * w.out + (m.hasBias ? w.out : 0),
      macsFraction: (w.out / m.outChannels) * (cinPerGroup / perGroupIn),
    };
  },
  prune(m: Conv2d, keep, options) {
    const groups = m.groups === 1 ? 1 : keep.in.length / (m.inChannels / m.groups);
    const copy = new Conv2d(keep.in.length, keep.out.length, m.kernelSize, {
      stride: m.stride,
      padding: m.padding === 'same' ? 'same' : [[...m.padding[0]], [...m.padding[1]]],
      dilation: m.dilation,
      groups,
      bias: m.hasBias,
      rng: options.rng,
    });
    if (!options.fromScratch) {
      const weight = [{ axis: 0, keep: keep.out }];
      if (m.groups === 1) weight.push({ axis: 1, keep: keep.in });
      loadGathered(copy, m, { weight, bias: [{ axis: 0, keep: keep.out }] });
    }
    return copy;
  },
});
