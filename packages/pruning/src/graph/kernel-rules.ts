/**
 * How each tfjs kernel executed *between* layers relates the channels (last axis) of its inputs
 * and outputs. The tracer applies one rule per executed kernel.
 * @packageDocumentation
 */

/** A tensor seen by the tracer: its shape and the first of its channel elements. @internal */
export interface TracedValue {
  /** Sequence number (creation order). */
  readonly id: number;
  readonly shape: readonly number[];
  /** Size of the last axis (0 for a scalar). */
  readonly channels: number;
  /** Index of channel 0 in the union-find. */
  readonly base: number;
}

/** What a rule may do to the channel elements of the values it sees. @internal */
export interface RuleContext {
  /** Channel `i` of `a` and channel `j` of `b` must be pruned together. */
  link(a: TracedValue, i: number, b: TracedValue, j: number): void;
  /** Channels `[from, to)` of `v` (all by default) cannot be pruned, for `reason`. */
  fix(v: TracedValue, reason: string, from?: number, to?: number): void;
  /** Where the kernel ran, for reasons: `"in 'layer1.0' (BasicBlockCifar)"`. */
  readonly where: string;
}

const UNARY = new Set([
  'Abs', 'Acos', 'Acosh', 'Asin', 'Asinh', 'Atan', 'Atanh', 'Cast', 'Ceil', 'ClipByValue', 'Cos', 'Cosh', 'Elu', 'Erf',
  'Exp', 'Expm1', 'Floor', 'Identity', 'IsFinite', 'IsInf', 'IsNan', 'LeakyRelu', 'Log', 'Log1p', 'LogicalNot', 'Neg',
  'OnesLike', 'Reciprocal', 'Relu', 'Relu6', 'Round', 'Rsqrt', 'Selu', 'Sigmoid', 'Sign', 'Sin', 'Sinh', 'Softplus',
  'Sqrt', 'Square', 'Step', 'Tan', 'Tanh', 'ZerosLike',
]);

/** Element-wise kernels with broadcasting; every input with the output's channel count is coupled. */
const ELEMENTWISE = new Set([
  'Add', 'AddN', 'Atan2', 'BitwiseAnd', 'Equal', 'FloorDiv', 'FusedBatchNorm', 'Greater', 'GreaterEqual', 'Less',
  'LessEqual', 'LogicalAnd', 'LogicalOr', 'LogicalXor', 'Maximum', 'Minimum', 'Mod', 'Multiply', 'NotEqual', 'Pow',
  'Prelu', 'RealDiv', 'Select', 'SquaredDifference', 'Sub',
]);

/** Kernels that act on the spatial or batch axes only. */
const SPATIAL = new Set([
  'AvgPool', 'MaxPool', 'ResizeBilinear', 'ResizeNearestNeighbor', 'SpaceToBatchND', 'BatchToSpaceND', 'FlipLeftRight',
]);

const REDUCTIONS = new Set(['Mean', 'Sum', 'Max', 'Min', 'Prod', 'All', 'Any', 'ArgMax', 'ArgMin', 'EuclideanNorm']);

/** Kernels that multiply by weights: outside a known layer their channels cannot be pruned. */
const WEIGHTED = new Set([
  'Conv2D', 'FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D', 'Conv3D', 'Conv2DBackpropInput',
  'Conv3DBackpropInputV2', 'BatchMatMul', '_FusedMatMul', 'Einsum', 'Dilation2D',
]);

/** Kernels that create a tensor of a fixed shape from attributes. */
const CREATORS = new Set(['Fill', 'Range', 'LinSpace', 'OneHot', 'Multinomial']);

/** Non-negative axis of `axis` for a tensor of rank `rank`. */
function axisOf(axis: unknown, rank: number): number {
  const a = Number(axis);
  return a < 0 ? a + rank : a;
}

function axesOf(axis: unknown, rank: number): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: rank }, (_, i) => i);
  const list = Array.isArray(axis) ? axis : [axis];
  return list.map((a) => axisOf(a, rank));
}

/** Couples channel `i` of `a` with channel `i` of `b`, or fixes both when their counts differ. */
function same(ctx: RuleContext, a: TracedValue, b: TracedValue, kernel: string): void {
  if (a.shape.length === 0 || b.shape.length === 0) return;
  if (a.channels !== b.channels) {
    const reason = `${kernel} changes the channel count ${ctx.where}`;
    ctx.fix(a, reason);
    ctx.fix(b, reason);
    return;
  }
  for (let i = 0; i < a.channels; i++) ctx.link(a, i, b, i);
}

function fixAll(ctx: RuleContext, values: readonly (TracedValue | undefined)[], reason: string): void {
  for (const v of values) if (v && v.shape.length > 0) ctx.fix(v, reason);
}

/**
 * Applies the channel rule of one executed kernel.
 * @param kernel - registered kernel name (`'Concat'`)
 * @param inputs - the traced input values (same order)
 * @param outputs - the traced output values
 * @param attrs - the kernel's attributes
 * @internal
 */
export function applyKernelRule(
  kernel: string,
  inputs: readonly TracedValue[],
  outputs: readonly TracedValue[],
  attrs: Readonly<Record<string, unknown>>,
  ctx: RuleContext,
): void {
  const x = inputs[0];
  const y = outputs[0];
  const all = [...inputs, ...outputs];
  if (!y) return;
  if (UNARY.has(kernel) || SPATIAL.has(kernel)) {
    if (x) same(ctx, x, y, kernel);
    return;
  }
  if (ELEMENTWISE.has(kernel)) {
    for (const v of inputs) {
      if (v.shape.length === 0) continue;
      if (v.channels === y.channels) same(ctx, v, y, kernel);
      else if (v.channels !== 1) fixAll(ctx, [v, y], `${kernel} broadcasts ${v.channels} onto ${y.channels} channels ${ctx.where}`);
    }
    return;
  }
  if (REDUCTIONS.has(kernel)) {
    const axes = axesOf(attrs.axis, x.shape.length);
    if (!axes.includes(x.shape.length - 1)) same(ctx, x, y, kernel);
    else ctx.fix(x, `${kernel} reduces over the channel axis ${ctx.where}`);
    return;
  }
  if (WEIGHTED.has(kernel)) {
    fixAll(ctx, all, `functional ${kernel} outside a known layer ${ctx.where}`);
    return;
  }
  if (CREATORS.has(kernel)) {
    fixAll(ctx, outputs, `${kernel} creates a fixed-shape tensor ${ctx.where}`);
    return;
  }
  switch (kernel) {
    case 'Concat': {
      const axis = axisOf(attrs.axis, y.shape.length);
      if (axis !== y.shape.length - 1) {
        for (const v of inputs) same(ctx, v, y, kernel);
        return;
      }
      let offset = 0;
      for (const v of inputs) {
        for (let i = 0; i < v.channels; i++) ctx.link(v, i, y, offset + i);
        offset += v.channels;
      }
      return;
    }
    case 'SplitV': {
      const axis = axisOf(attrs.axis, x.shape.length);
      if (axis !== x.shape.length - 1) {
        for (const v of outputs) same(ctx, x, v, kernel);
        return;
      }
      let offset = 0;
      for (const v of outputs) {
        for (let i = 0; i < v.channels; i++) ctx.link(x, offset + i, v, i);
        offset += v.channels;
      }
      fixAll(ctx, all, `split of the channel axis into fixed sizes ${ctx.where}`);
      return;
    }
    case 'Slice': {
      const last = x.shape.length - 1;
      const begin = Array.isArray(attrs.begin) ? Number(attrs.begin[last] ?? 0) : Number(attrs.begin ?? 0);
      if (y.channels === x.channels && begin === 0) {
        same(ctx, x, y, kernel);
        return;
      }
      for (let i = 0; i < y.channels; i++) ctx.link(x, begin + i, y, i);
      fixAll(ctx, all, `slice of the channel axis ${ctx.where}`);
      return;
    }
    case 'StridedSlice': {
      const last = x.shape.length - 1;
      const strides = Array.isArray(attrs.strides) ? attrs.strides : [];
      const stride = Number(strides[last] ?? 1);
      const masks = Number(attrs.ellipsisMask ?? 0) | Number(attrs.newAxisMask ?? 0) | Number(attrs.shrinkAxisMask ?? 0);
      if (masks === 0 && stride === 1 && y.shape.length === x.shape.length && y.channels === x.channels) same(ctx, x, y, kernel);
      else fixAll(ctx, all, `strided slice of the channel axis ${ctx.where}`);
      return;
    }
    case 'Reshape':
    case 'ExpandDims':
    case 'Squeeze': {
      if (x.shape.length === 0 || y.shape.length === 0) {
        fixAll(ctx, all, `${kernel} to or from a scalar ${ctx.where}`);
        return;
      }
      const a = x.channels;
      const b = y.channels;
      if (a === b) same(ctx, x, y, kernel);
      else if (b % a === 0) for (let j = 0; j < b; j++) ctx.link(x, j % a, y, j);
      else if (a % b === 0) {
        for (let i = 0; i < a; i++) ctx.link(x, i, y, i % b);
        fixAll(ctx, all, `${kernel} splits the channel axis ${ctx.where}`);
      } else fixAll(ctx, all, `${kernel} mixes the channel axis ${ctx.where}`);
      return;
    }
    case 'Transpose': {
      const perm = (attrs.perm as number[] | undefined) ?? [];
      const last = x.shape.length - 1;
      if (perm[last] === last) same(ctx, x, y, kernel);
      else fixAll(ctx, all, `transpose moves the channel axis ${ctx.where}`);
      return;
    }
    case 'PadV2': {
      const paddings = (attrs.paddings as [number, number][] | undefined) ?? [];
      const [before, after] = paddings[x.shape.length - 1] ?? [0, 0];
      for (let i = 0; i < x.channels; i++) ctx.link(x, i, y, before + i);
      if (before > 0) ctx.fix(y, `zero-padded channels ${ctx.where}`, 0, before);
      if (after > 0) ctx.fix(y, `zero-padded channels ${ctx.where}`, before + x.channels, y.channels);
      return;
    }
    case 'MirrorPad': {
      const paddings = (attrs.paddings as [number, number][] | undefined) ?? [];
      const [before, after] = paddings[x.shape.length - 1] ?? [0, 0];
      if (before === 0 && after === 0) same(ctx, x, y, kernel);
      else fixAll(ctx, all, `mirror padding of the channel axis ${ctx.where}`);
      return;
    }
    case 'Tile': {
      const reps = (attrs.reps as number[] | undefined) ?? [];
      const r = reps[x.shape.length - 1] ?? 1;
      if (r === 1) same(ctx, x, y, kernel);
      else for (let j = 0; j < y.channels; j++) ctx.link(x, j % x.channels, y, j);
      return;
    }
    case 'BroadcastTo': {
      if (x.channels === y.channels) same(ctx, x, y, kernel);
      else fixAll(ctx, outputs, `BroadcastTo creates channels ${ctx.where}`);
      return;
    }
    case 'GatherV2': {
      const axis = axisOf(attrs.axis ?? 0, x.shape.length);
      if (axis !== x.shape.length - 1 && y.channels === x.channels) same(ctx, x, y, kernel);
      else fixAll(ctx, [x, y], `gather along the channel axis ${ctx.where}`);
      return;
    }
    case 'Pack': {
      const axis = axisOf(attrs.axis ?? 0, y.shape.length);
      if (axis === y.shape.length - 1) fixAll(ctx, all, `stack along the channel axis ${ctx.where}`);
      else for (const v of inputs) same(ctx, v, y, kernel);
      return;
    }
    case 'Unpack': {
      const axis = axisOf(attrs.axis ?? 0, x.shape.length);
      if (axis === x.shape.length - 1) fixAll(ctx, all, `unstack along the channel axis ${ctx.where}`);
      else for (const v of outputs) same(ctx, x, v, kernel);
      return;
    }
    case 'Softmax':
    case 'LogSoftmax': {
      const axis = axisOf(attrs.dim ?? attrs.axis ?? -1, x.shape.length);
      if (axis === x.shape.length - 1) fixAll(ctx, all, `${kernel} normalises over the channel axis ${ctx.where}`);
      else same(ctx, x, y, kernel);
      return;
    }
    case 'Cumsum':
    case 'Cumprod':
    case 'Reverse': {
      const axes = axesOf(kernel === 'Reverse' ? attrs.dims : attrs.axis, x.shape.length);
      if (axes.includes(x.shape.length - 1)) fixAll(ctx, all, `${kernel} along the channel axis ${ctx.where}`);
      else same(ctx, x, y, kernel);
      return;
    }
    case 'DepthToSpace': {
      const bs = Number(attrs.blockSize);
      if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
        fixAll(ctx, all, `DepthToSpace in ${String(attrs.dataFormat)} ${ctx.where}`);
        return;
      }
      // TF order: input channel (i·bs + j)·C_out + c becomes output channel c.
      for (let k = 0; k < bs * bs; k++) for (let c = 0; c < y.channels; c++) ctx.link(x, k * y.channels + c, y, c);
      return;
    }
    default:
      fixAll(ctx, all, `unsupported kernel ${kernel} ${ctx.where}`);
  }
}
