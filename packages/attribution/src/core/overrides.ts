/**
 * Per-instance gradient overrides of activation and max-pool modules, for DeepLIFT (Rescale),
 * Guided Backprop and Deconvolution.
 *
 * Forward hooks replace the output `y = g(z)` of every supported module *use* (a module called
 * twice gets two independent rule states) by a tensor of exactly the same value whose gradient is
 * the rule's. Nonlinear kernels left on the gradient path (functional `tf.relu`, activations created
 * inside `forward`, training-mode batch norm, products of two input-dependent tensors) are detected
 * on the gradient tape and reported with a `NotAvailableError` instead of silently returning wrong
 * attributions (captum#1082, #351, #519).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  GELU,
  Hardswish,
  InvalidValueError,
  LeakyReLU,
  MaxPool2d,
  Module,
  NotAvailableError,
  PReLU,
  ReLU,
  ReLU6,
  SiLU,
  Sigmoid,
  Tanh,
} from '@lab/tensor';
import { type TargetGradients, type TapeInspector, targetGradients } from './gradients';
import { type AttributionModel, type Target, runModel, selectTarget } from './types';

/**
 * A backward rule applied per activation-module instance:
 * - `guided-backprop`: at every `ReLU`, `∂/∂z = relu(dy) · 1[z > 0]` (Springenberg et al. 2015);
 * - `deconvolution`: at every `ReLU`, `∂/∂z = relu(dy)` (Zeiler & Fergus 2014);
 * - `deeplift-rescale`: at every element-wise activation, `∂/∂z = dy · (g(z) − g(z_b))/(z − z_b)`,
 *   falling back to `dy · g′(z)` where `|z − z_b| < eps`; at every `MaxPool2d` the Captum max-pool
 *   multiplier (Shrikumar et al. 2017, arXiv 1704.02685).
 * @category Core
 */
export type OverrideRule = 'guided-backprop' | 'deconvolution' | 'deeplift-rescale';

/** Modules the DeepLIFT Rescale rule treats as element-wise nonlinearities `y = g(z)`. */
const ELEMENTWISE_CLASSES: readonly (abstract new (...args: any[]) => Module<any, any>)[] = [
  ReLU,
  ReLU6,
  LeakyReLU,
  PReLU,
  GELU,
  SiLU,
  Hardswish,
  Sigmoid,
  Tanh,
];

/**
 * Element-wise activation class names without a `@lab/tensor` class yet (matched by class name,
 * so a user's own `class ELU extends Module` is treated element-wise too).
 */
const ELEMENTWISE_NAMES: ReadonlySet<string> = new Set(['ELU', 'SELU', 'CELU', 'Softplus', 'Mish', 'Hardtanh', 'Hardsigmoid', 'Softsign', 'LogSigmoid']);

type ModuleKind = 'relu' | 'elementwise' | 'maxpool';

function moduleKind(m: Module<any, any>): ModuleKind | undefined {
  if (m instanceof ReLU) return 'relu';
  if (m instanceof MaxPool2d) return 'maxpool';
  if (ELEMENTWISE_CLASSES.some((c) => m instanceof c)) return 'elementwise';
  for (let p = Object.getPrototypeOf(m); p && p !== Module.prototype; p = Object.getPrototypeOf(p)) {
    if (ELEMENTWISE_NAMES.has(p.constructor?.name)) return 'elementwise';
  }
  return undefined;
}

/** Kernels that are nonlinear in their input: DeepLIFT must see them inside an overridden module. */
const NONLINEAR_KERNELS: ReadonlySet<string> = new Set([
  'Relu', 'Relu6', 'LeakyRelu', 'Prelu', 'Elu', 'Selu', 'Sigmoid', 'Tanh', 'Softplus', 'Softmax', 'LogSoftmax',
  'MaxPool', 'MaxPool3D', 'MaxPoolWithArgmax', 'Max', 'Min', 'Maximum', 'Minimum', 'Exp', 'Expm1', 'Log', 'Log1p',
  'Sqrt', 'Rsqrt', 'Square', 'SquaredDifference', 'Pow', 'Abs', 'Sign', 'Step', 'Erf', 'Sin', 'Cos', 'Tan', 'Asin',
  'Acos', 'Atan', 'Atan2', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'Round', 'Floor', 'Ceil', 'ClipByValue',
  'Select', 'Reciprocal', 'LRN', 'Prod', 'Cumprod', 'TopK',
]);

/** Kernels linear in each input but not jointly: nonlinear when two inputs depend on the input. */
const BILINEAR_KERNELS: ReadonlySet<string> = new Set([
  'Multiply', 'RealDiv', 'FloorDiv', 'BatchMatMul', 'Conv2D', 'DepthwiseConv2dNative', 'Conv3D', 'FusedBatchNorm',
  'Einsum', 'Dilation2D',
]);

/** The tape node fields read here (tfjs-core 4.x `TapeNode`). */
interface TapeNodeLike {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
}

/** The active gradient tape, or undefined if this tfjs version hides it (detection is then skipped). */
function activeTape(): TapeNodeLike[] | undefined {
  const state = (tf.engine() as unknown as { state?: { activeTape?: unknown } }).state;
  return Array.isArray(state?.activeTape) ? (state.activeTape as TapeNodeLike[]) : undefined;
}

/**
 * Kernel names on the gradient path from `x` to `y` that the rule does not handle. Nodes in
 * `trusted` (built by the overrides) are skipped.
 */
function unsupportedOnPath(x: tf.Tensor, y: tf.Tensor, trusted: ReadonlySet<number>, rule: OverrideRule): string[] {
  const tape = activeTape();
  if (!tape) return [];
  const fromX = new Set<number>([x.id]);
  const forward = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => t != null && fromX.has(t.id))) {
      forward.add(node.id);
      for (const o of node.outputs) fromX.add(o.id);
    }
  }
  const toY = new Set<number>([y.id]);
  const found = new Set<string>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (!forward.has(node.id) || !node.outputs.some((o) => toY.has(o.id))) continue;
    for (const t of Object.values(node.inputs)) if (t != null && fromX.has(t.id)) toY.add(t.id);
    if (trusted.has(node.id)) continue;
    const name = node.kernelName;
    const dependent = Object.entries(node.inputs).filter(([, t]) => t != null && fromX.has(t.id)).map(([k]) => k);
    if (/fused/i.test(name)) found.add(`${name} (fused activation)`);
    else if (rule === 'deeplift-rescale') {
      if (NONLINEAR_KERNELS.has(name)) found.add(name);
      else if (BILINEAR_KERNELS.has(name) && (dependent.length > 1 || (name === 'RealDiv' && dependent.includes('b')))) {
        found.add(`${name} of two input-dependent tensors`);
      }
    } else if (name === 'Relu') found.add(name);
  }
  return [...found];
}

/** The argument type of `tf.customGrad` (not exported by name from tfjs-core's namespace). */
type CustomGradFn = Parameters<typeof tf.customGrad>[0];

/** Runs `fn` off the tape: the result is a constant for differentiation. */
function detached(fn: () => tf.Tensor): tf.Tensor {
  const op = tf.customGrad((() => ({ value: fn(), gradFunc: () => [] })) as unknown as CustomGradFn);
  return (op as unknown as () => tf.Tensor)();
}

/** A tensor with the value of `value` (a constant) and the gradient of `gradient` (same shape). */
function reroute(value: tf.Tensor, gradient: tf.Tensor): tf.Tensor {
  const op = tf.customGrad(((v: tf.Tensor, _g: tf.Tensor) => ({
    value: tf.clone(v),
    gradFunc: (dy: tf.Tensor) => [tf.zerosLike(dy), tf.clone(dy)],
  })) as unknown as CustomGradFn) as unknown as (v: tf.Tensor, g: tf.Tensor) => tf.Tensor;
  return op(value, gradient);
}

/** Reference activations of one module use: input `z_b` and output `y_b` (kept clones). */
interface Reference {
  z: tf.Tensor;
  y: tf.Tensor;
}

/** What {@link overrideGradients} returns. Every tensor belongs to the caller. @category Core */
export interface OverrideGradients extends TargetGradients {
  /** `f_c(b_r)` of the reference rows (DeepLIFT only). */
  referenceScores?: tf.Tensor1D;
}

function firstTensor(fn: string, m: Module<any, any>, inputs: readonly unknown[]): tf.Tensor {
  const z = inputs[0];
  if (!(z instanceof tf.Tensor)) {
    throw new NotAvailableError(`${fn}: module ${m.constructor.name} must take a tensor as its first input`);
  }
  return z;
}

/** DeepLIFT Rescale at an element-wise module use: value `y`, gradient `m` (or `g′(z)` where `|Δz| < eps`). */
function rescaleElementwise(m: Module<any, any>, z: tf.Tensor, y: tf.Tensor, ref: Reference, eps: number): tf.Tensor {
  const multiplier = detached(() => {
    const dz = tf.sub(z, ref.z);
    const small = tf.less(tf.abs(dz), eps);
    return tf.where(small, tf.zerosLike(dz), tf.div(tf.sub(y, ref.y), tf.where(small, tf.onesLike(dz), dz)));
  });
  const small = detached(() => tf.cast(tf.less(tf.abs(tf.sub(z, ref.z)), eps), 'float32'));
  const fallback = m.forward(reroute(detached(() => tf.clone(z)), tf.mul(z, small))) as tf.Tensor;
  return reroute(detached(() => tf.clone(y)), tf.add(tf.mul(z, multiplier), fallback));
}

/**
 * DeepLIFT Rescale at a max-pool use, as Captum's `maxpool` rule: with `ŷ = max(y, y_b)`, the part
 * `ŷ − y_b` of `Δy` goes back through the input's argmax routing and `y − ŷ` through the
 * reference's, each divided by `Δz`; where `|Δz| < eps` the plain gradient is used. Built from
 * differentiable copies of the module, so it works for any padding, stride or kernel.
 */
function rescaleMaxPool(m: Module<any, any>, z: tf.Tensor, y: tf.Tensor, ref: Reference, eps: number): tf.Tensor {
  const inv = detached(() => {
    const dz = tf.sub(z, ref.z);
    const small = tf.less(tf.abs(dz), eps);
    return tf.where(small, tf.zerosLike(dz), tf.reciprocal(tf.where(small, tf.onesLike(dz), dz)));
  });
  const small = detached(() => tf.cast(tf.less(tf.abs(tf.sub(z, ref.z)), eps), 'float32'));
  const fromInput = detached(() => tf.sub(tf.maximum(y, ref.y), ref.y));
  const fromReference = detached(() => tf.sub(y, tf.maximum(y, ref.y)));
  const zConst = detached(() => tf.clone(z));
  const u = tf.mul(z, inv);
  const term1 = tf.mul(fromInput, m.forward(reroute(zConst, u)) as tf.Tensor);
  const term2 = tf.mul(fromReference, m.forward(reroute(ref.z, u)) as tf.Tensor);
  const term3 = m.forward(reroute(zConst, tf.mul(z, small))) as tf.Tensor;
  return reroute(detached(() => tf.clone(y)), tf.add(tf.add(term1, term2), term3));
}

/** Guided Backprop / Deconvolution at a ReLU use. */
function reluOverride(z: tf.Tensor, y: tf.Tensor, rule: 'guided-backprop' | 'deconvolution'): tf.Tensor {
  const op = tf.customGrad(((zz: tf.Tensor, save: tf.GradSaveFunc) => {
    save([zz]);
    return {
      value: tf.clone(y),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        rule === 'guided-backprop' ? tf.mul(tf.relu(dy), tf.step(saved[0])) : tf.relu(dy),
    };
  }) as unknown as CustomGradFn);
  return op(z);
}

/**
 * Lists the distinct module instances an override rule hooks (each use of one gets its own state).
 * @internal
 */
function overriddenModules(model: Module<any, any>, rule: OverrideRule): [Module<any, any>, ModuleKind][] {
  const out: [Module<any, any>, ModuleKind][] = [];
  const seen = new Set<Module<any, any>>();
  for (const [, m] of model.namedModules()) {
    if (seen.has(m)) continue;
    seen.add(m);
    const kind = moduleKind(m);
    if (kind === undefined) continue;
    if (rule !== 'deeplift-rescale' && kind !== 'relu') continue;
    out.push([m, kind]);
  }
  return out;
}

/**
 * Computes the gradient of the explained output under a per-instance {@link OverrideRule}.
 *
 * For `deeplift-rescale`, the reference rows run first with recording hooks (every supported
 * module use stores its `z_b`, `y_b`), then the input rows run with replacing hooks; rows pair up
 * one to one. The returned `grads` are DeepLIFT multipliers `m` with `Σ (x − b)·m = f(x) − f(b)`
 * exactly when every nonlinearity is an overridden module.
 * @param model - a Module in evaluation mode
 * @param rule - the backward rule
 * @param x - input rows `[m, …]`
 * @param reference - reference rows `[m, …]` (DeepLIFT only)
 * @param target - explained output of each row
 * @param fn - public function name used in messages
 * @param eps - DeepLIFT's `|Δz|` threshold for the gradient fallback
 * @returns gradients `[m, …]`, scores `[m]` and, for DeepLIFT, reference scores `[m]`; the caller disposes them
 * @throws {@link "@lab/tensor"!NotAvailableError | NotAvailableError} for a plain-function model, or when a nonlinearity the rule cannot
 * override is found on the gradient path (named in the message).
 * @category Core
 */
export function overrideGradients(
  model: AttributionModel,
  rule: OverrideRule,
  x: tf.Tensor,
  reference: tf.Tensor | undefined,
  target: Target | undefined,
  fn: string,
  eps = 1e-10,
): OverrideGradients {
  if (!(model instanceof Module)) {
    throw new NotAvailableError(
      `${fn}: ${rule} overrides the gradient of activation-module instances, so the model must be a Module, got a plain function`,
    );
  }
  if (rule === 'deeplift-rescale' && reference === undefined) {
    throw new InvalidValueError(`${fn}: deeplift-rescale needs reference rows`);
  }
  const modules = overriddenModules(model, rule);
  const kinds = new Map(modules);
  const records = new Map<Module<any, any>, Reference[]>();
  const uses = new Map<Module<any, any>, number>();
  const trusted = new Set<number>();
  const handles: { remove(): void }[] = [];
  let referenceScores: tf.Tensor1D | undefined;
  let mode: 'record' | 'override' = 'record';
  let mismatch: string | undefined;

  const hook = (m: Module<any, any>, inputs: readonly unknown[], output: unknown): unknown => {
    const kind = kinds.get(m) as ModuleKind;
    const z = firstTensor(fn, m, inputs);
    if (!(output instanceof tf.Tensor)) throw new NotAvailableError(`${fn}: module ${m.constructor.name} must output a tensor`);
    if (mode === 'record') {
      const list = records.get(m) ?? [];
      list.push({ z: tf.keep(tf.clone(z)), y: tf.keep(tf.clone(output)) });
      records.set(m, list);
      return undefined;
    }
    const k = uses.get(m) ?? 0;
    uses.set(m, k + 1);
    const tape = activeTape();
    const start = tape?.length ?? 0;
    let replaced: tf.Tensor;
    if (rule === 'deeplift-rescale') {
      const ref = records.get(m)?.[k];
      if (!ref || !ref.z.shape.every((s, i) => s === z.shape[i]) || ref.z.rank !== z.rank) {
        mismatch ??= `${m.constructor.name} use ${k + 1} differs between the input and the reference pass`;
        return undefined;
      }
      replaced = kind === 'maxpool' ? rescaleMaxPool(m, z, output, ref, eps) : rescaleElementwise(m, z, output, ref, eps);
    } else {
      replaced = reluOverride(z, output, rule);
    }
    if (tape) for (let i = start; i < tape.length; i++) trusted.add(tape[i].id);
    return replaced;
  };

  const inspect: TapeInspector = (xx, y) => {
    if (mismatch !== undefined) {
      return `${fn}: the model's forward pass is data-dependent (${mismatch}); DeepLIFT needs the same computation for input and reference`;
    }
    const bad = unsupportedOnPath(xx, y, trusted, rule);
    if (bad.length === 0) return undefined;
    const supported = rule === 'deeplift-rescale' ? 'element-wise activation modules (ReLU, LeakyReLU, Sigmoid, Tanh, GELU, …) or MaxPool2d' : 'ReLU modules';
    return (
      `${fn}: ${rule} cannot override ${bad.join(', ')} found on the gradient path outside ${supported}; ` +
      `use one module instance per activation (not functional ops or modules created inside forward), in eval mode`
    );
  };

  try {
    for (const [m] of modules) handles.push(m.registerForwardHook(hook));
    if (rule === 'deeplift-rescale') {
      referenceScores = tf.tidy(() => selectTarget(runModel(model, reference as tf.Tensor), target, fn));
    }
    mode = 'override';
    const out = targetGradients(model, x, target, fn, inspect);
    const result: OverrideGradients = { ...out, referenceScores };
    referenceScores = undefined;
    return result;
  } finally {
    for (const h of handles) h.remove();
    for (const list of records.values()) for (const r of list) tf.dispose([r.z, r.y]);
    referenceScores?.dispose();
  }
}
