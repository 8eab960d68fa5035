/** Small inference graphs for quantisation tests. */
import { Rng } from '@lab/tensor';
import { type FusedActivation, GraphBuilder, type InferenceGraph, convOutputSize } from '../../src/quant/inference-graph';

/** One convolution `x=[h,w,cin]` → cout (or depthwise), seeded weights in ±wScale and biases in ±0.1. */
export function convGraph(
  cfg: { h: number; w: number; cin: number; cout: number; k: number; stride: number; pads: [[number, number], [number, number]]; depthwise?: boolean; activation?: FusedActivation },
  seed: number,
  wScale = 0.5,
): InferenceGraph {
  const rng = new Rng(seed);
  const depthwise = cfg.depthwise ?? false;
  const g = new GraphBuilder([cfg.h, cfg.w, cfg.cin]);
  const geometry = { kernel: [cfg.k, cfg.k] as [number, number], stride: [cfg.stride, cfg.stride] as [number, number], pads: cfg.pads };
  const [oh, ow] = convOutputSize(geometry, cfg.h, cfg.w);
  const out = g.add({
    kind: 'conv2d',
    name: 'conv',
    input: 0,
    output: g.tensor([oh, ow, cfg.cout]),
    depthwise,
    ...geometry,
    inChannels: cfg.cin,
    outChannels: cfg.cout,
    weight: rng.uniform(cfg.k * cfg.k * (depthwise ? cfg.cin : cfg.cin * cfg.cout), -wScale, wScale),
    bias: rng.uniform(cfg.cout, -0.1, 0.1),
    activation: cfg.activation ?? 'none',
  });
  return g.build(out);
}

/** One fully connected layer in → out. */
export function fcGraph(inFeatures: number, outFeatures: number, activation: 'none' | 'relu', seed: number): InferenceGraph {
  const rng = new Rng(seed);
  const g = new GraphBuilder([inFeatures]);
  const out = g.add({
    kind: 'fullyConnected',
    name: 'fc',
    input: 0,
    output: g.tensor([outFeatures]),
    inFeatures,
    outFeatures,
    weight: rng.uniform(inFeatures * outFeatures, -0.3, 0.3),
    bias: rng.uniform(outFeatures, -0.1, 0.1),
    activation,
  });
  return g.build(out);
}
