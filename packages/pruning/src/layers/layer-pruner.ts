/**
 * The extension point for layers: what the dependency graph and the pruner need to know about a
 * layer type, and what a container needs after its children were replaced.
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Module, Rng } from '@lab/tensor';

/** Which side of a layer a channel index refers to: its input (last axis) or its output. @category Layers */
export type ChannelRole = 'in' | 'out';

/**
 * What the tracer saw at one call of a layer: the shapes of its (first) input and of its output.
 * @category Layers
 */
export interface LayerCall {
  /** Shape of the first tensor input, NHWC for images. */
  readonly inputShape: readonly number[];
  /** Shape of the output. */
  readonly outputShape: readonly number[];
}

/**
 * What a parameter holds per channel, so a criterion can read one channel's slice without knowing
 * the layer: `weight` (convolution and linear weights), `bias`, `scale` (a norm's γ, PReLU slopes)
 * and `shift` (a norm's β).
 * @category Layers
 */
export type ChannelParamKind = 'weight' | 'bias' | 'scale' | 'shift';

/**
 * A trainable parameter of a layer with one channel axis: reshaping the native tensor to `view`
 * puts the channel on axis `axis` (a depthwise weight `[kh, kw, cin, m]` is viewed as
 * `[kh, kw, cin·m]` so that output channel `c·m + k` is one index).
 * @category Layers
 */
export interface ChannelParam {
  /** Dotted name of the parameter inside the layer (`'weight'`); the graph prefixes the layer name. */
  readonly name: string;
  /** What the parameter holds, see {@link ChannelParamKind}. */
  readonly kind: ChannelParamKind;
  /** The parameter itself (native layout). */
  readonly variable: tf.Variable;
  /** Shape to view the native tensor in; its product equals the variable's size. */
  readonly view: readonly number[];
  /** Channel axis in `view`. */
  readonly axis: number;
}

/** What {@link LayerPruner.cost} returns for a layer at given widths. @category Layers */
export interface LayerCost {
  /** Trainable scalar parameters of the layer at these widths. */
  readonly params: number;
  /**
   * Fraction of the layer's multiply-accumulates that remain at these widths (1 at full width;
   * the profiler's count of the unpruned layer is scaled by it).
   */
  readonly macsFraction: number;
}

/** The channels a pruned copy keeps, sorted ascending, on each side of a layer. @category Layers */
export interface KeptChannels {
  /** Input channels kept (indices into the original input channels). */
  readonly in: readonly number[];
  /** Output channels kept. */
  readonly out: readonly number[];
}

/** Options passed to {@link LayerPruner.prune}. @category Layers */
export interface LayerPruneOptions {
  /** When true the copy keeps freshly initialised weights instead of the kept slices. */
  readonly fromScratch: boolean;
  /** Generator for the initial weights of the copy (seeded by {@link prune}). */
  readonly rng: Rng;
}

/**
 * How the dependency graph and {@link prune} treat one layer type: the extension point for custom
 * layers (Torch-Pruning's customised pruners).
 *
 * A layer handled by a pruner is a *leaf* of the traced graph: the tracer does not look inside its
 * forward pass. Its first input's last axis holds its input channels and its output's last axis
 * its output channels. {@link LayerPruner.couple} declares which input and output channels must go
 * together (a batch norm links channel `i` to `i`, a depthwise convolution links input channel `c`
 * to outputs `c·m … c·m+m−1`); a *producer* (a plain convolution or linear layer) starts new
 * channel index spaces, and the groups of the graph are formed around producers.
 *
 * A pruner must never mutate the layer it is given; {@link LayerPruner.prune} returns a new layer.
 * @example
 * ```ts
 * const scalePruner: LayerPruner<ChannelScale> = {
 *   name: 'channel-scale',
 *   matches: (m) => m instanceof ChannelScale,
 *   producer: () => false,
 *   couple: (m, call, link) => { for (let c = 0; c < m.channels; c++) link(c, c); },
 *   params: (m, role) => (role === 'out' ? [{ name: 'scale', kind: 'scale', variable: m.scale, view: [m.channels], axis: 0 }] : []),
 *   cost: (m, w) => ({ params: w.out, macsFraction: 1 }),
 *   prune: (m, keep) => ChannelScale.fromValues(gatherChannels(m.scale, keep.out)),
 * };
 * ```
 * @category Layers
 */
export interface LayerPruner<M extends Module<any, any> = Module<any, any>> {
  /** Lowercase kebab-case name, used in descriptions and errors. */
  readonly name: string;
  /** Whether this pruner handles `module` (usually an `instanceof` check). */
  matches(module: Module<any, any>): boolean;
  /** True when the output channels are a new index space (plain convolution, linear layer). */
  producer(module: M): boolean;
  /** Calls `link(i, o)` for every input channel `i` that must be pruned with output channel `o`. */
  couple(module: M, call: LayerCall, link: (inChannel: number, outChannel: number) => void): void;
  /** The trainable parameters indexed by channels of `role`. */
  params(module: M, role: ChannelRole): ChannelParam[];
  /** Parameters and remaining share of multiply-accumulates at the given widths. */
  cost(module: M, width: { in: number; out: number }): LayerCost;
  /**
   * A new, smaller layer keeping the given channels. Optional for layers without channel-sized
   * parameters or fields (pixel shuffle, flatten): those are copied as they are.
   */
  prune?(module: M, keep: KeptChannels, options: LayerPruneOptions): M;
}

/**
 * Brings a container module's own fields back in line with its pruned children (a block that
 * stores its channel counts and checks them in `forward`). {@link prune} calls
 * {@link ContainerAdapter.refresh} on the pruned copy, after its children were replaced.
 * @example
 * ```ts
 * const blockAdapter: ContainerAdapter<MyBlock> = {
 *   name: 'my-block',
 *   matches: (m) => m instanceof MyBlock,
 *   refresh: (b) => { setField(b, 'channels', b.conv.outChannels); },
 * };
 * ```
 * @category Layers
 */
export interface ContainerAdapter<M extends Module<any, any> = Module<any, any>> {
  /** Lowercase kebab-case name. */
  readonly name: string;
  /** Whether this adapter handles `module`. */
  matches(module: Module<any, any>): boolean;
  /** Updates the pruned copy's fields from its (already pruned) children. */
  refresh(module: M): void;
}

/**
 * Sets a field of a module, readonly ones included (for {@link ContainerAdapter.refresh} and
 * {@link LayerPruner.prune} implementations that patch a copy).
 * @param target - the module (or any object) to patch
 * @param field - the field name
 * @param value - the new value
 * @category Layers
 */
export function setField<T extends object>(target: T, field: string, value: unknown): void {
  (target as Record<string, unknown>)[field] = value;
}
