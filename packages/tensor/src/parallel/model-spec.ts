/**
 * How a worker rebuilds a model: the module and factory that build it, their options, and its weights.
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, InvalidValueError, NotAvailableError, checkOptions } from '../errors';
import { Module } from '../nn/module';
import { type TensorPayload, payloadToTensor, tensorToPayload } from './tensor-payload';

/**
 * A model that another thread can rebuild: `import(module)`, then `factory(...args)` where
 * `factory` is the export named by `export`, then `loadStateDict(stateDict)`.
 * @category Parallel
 */
export interface ModelSpec {
  /**
   * URL of a built JavaScript module (`file:` in Node, `http(s):` in browsers) or a bare specifier
   * resolvable from the task module that rebuilds the model. An absolute URL is the robust choice.
   */
  module: string;
  /**
   * Dotted path of the factory inside the module's exports, e.g. `createSmallCnn` or
   * `models.imdn-ntire2022.factory`. A class (a `Module` subclass) is constructed with `new`.
   */
  export: string;
  /** The factory's arguments (structured-cloneable), e.g. `[20, { numClasses: 10 }]`. @defaultValue [] */
  args?: unknown[];
  /** The weights, by PyTorch name, as {@link TensorPayload}s. @defaultValue none (the factory's own initialisation) */
  stateDict?: Record<string, TensorPayload>;
}

/**
 * Describes a live model for {@link buildModelFromSpec} in a worker: the given module and factory,
 * plus a copy of the model's current weights.
 * @param model - the model whose `stateDict()` is copied (not disposed)
 * @param source - the module URL, factory export path and factory arguments that rebuild its architecture
 * @returns a spec holding typed-array copies of every parameter and buffer (no tensors)
 * @throws {@link InvalidValueError} for a missing `module` or `export`, or an unknown key
 * @example
 * ```ts
 * const spec = modelSpec(net, { module: new URL('./net.js', import.meta.url).href, export: 'createNet' });
 * const pool = await createWorkerPool({ task: modelTaskUrl(), init: spec });
 * ```
 * @category Parallel
 */
export function modelSpec(model: Module<any, any>, source: { module: string | URL; export: string; args?: unknown[] }): ModelSpec {
  const fn = 'modelSpec';
  if (!(model instanceof Module)) throw new InvalidValueError(`${fn}: model must be a Module, got ${typeof model}`);
  checkOptions(fn, source, ['module', 'export', 'args']);
  const mod = source?.module instanceof URL ? source.module.href : source?.module;
  if (typeof mod !== 'string' || mod === '') throw new InvalidValueError(`${fn}: source.module must be a non-empty URL or specifier, got ${String(mod)}`);
  if (typeof source.export !== 'string' || source.export === '') {
    throw new InvalidValueError(`${fn}: source.export must be a non-empty export path, got ${String(source.export)}`);
  }
  const stateDict: Record<string, TensorPayload> = {};
  const tensors = model.stateDict();
  try {
    for (const [name, t] of Object.entries(tensors)) stateDict[name] = tensorToPayload(t);
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
  if (source.args !== undefined && !Array.isArray(source.args)) throw new InvalidValueError(`${fn}: source.args must be an array, got ${typeof source.args}`);
  return { module: mod, export: source.export, args: source.args ?? [], stateDict };
}

const isClass = (f: unknown): boolean => typeof f === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(f));

/**
 * Rebuilds a model from a {@link ModelSpec}: imports the module, calls (or constructs) the factory
 * with `args`, loads the weights strictly, and puts the model in eval mode.
 * @param spec - see {@link ModelSpec}
 * @returns the model, owned by the caller (dispose it with `model.dispose()`)
 * @throws {@link InvalidValueError} for a malformed spec; {@link NotAvailableError} when the module
 * cannot be imported or the export is not a function; {@link CheckpointError} when the weights do not fit
 * @example
 * ```ts
 * const model = await buildModelFromSpec(spec); // in a worker's setup
 * ```
 * @category Parallel
 */
export async function buildModelFromSpec(spec: ModelSpec): Promise<Module<[tf.Tensor], tf.Tensor>> {
  const fn = 'buildModelFromSpec';
  if (spec === null || typeof spec !== 'object') throw new InvalidValueError(`${fn}: spec must be an object, got ${String(spec)}`);
  checkOptions(fn, spec, ['module', 'export', 'args', 'stateDict']);
  if (spec.args !== undefined && !Array.isArray(spec.args)) throw new InvalidValueError(`${fn}: spec.args must be an array, got ${typeof spec.args}`);
  const args = spec.args ?? [];
  if (typeof spec.module !== 'string' || spec.module === '') throw new InvalidValueError(`${fn}: spec.module must be a non-empty string, got ${String(spec.module)}`);
  if (typeof spec.export !== 'string' || spec.export === '') throw new InvalidValueError(`${fn}: spec.export must be a non-empty string, got ${String(spec.export)}`);
  let namespace: unknown;
  try {
    namespace = await import(/* @vite-ignore */ spec.module);
  } catch (e) {
    throw new NotAvailableError(`${fn}: spec.module '${spec.module}' cannot be imported: ${(e as Error).message}`);
  }
  let factory: unknown = namespace;
  for (const key of spec.export.split('.')) {
    factory = factory === null || factory === undefined ? undefined : (factory as Record<string, unknown>)[key];
  }
  if (typeof factory !== 'function') {
    throw new NotAvailableError(`${fn}: spec.export '${spec.export}' of '${spec.module}' must be a function or class, got ${typeof factory}`);
  }
  const f = factory as (...a: unknown[]) => unknown;
  const model = (isClass(f) ? new (f as unknown as new (...a: unknown[]) => unknown)(...args) : f(...args)) as Module<[tf.Tensor], tf.Tensor>;
  if (model === null || typeof model !== 'object' || typeof (model as Module).loadStateDict !== 'function' || typeof (model as Module).call !== 'function') {
    throw new NotAvailableError(`${fn}: spec.export '${spec.export}' must build a Module, got ${model === null ? 'null' : typeof model}`);
  }
  if (spec.stateDict !== undefined) {
    if (spec.stateDict === null || typeof spec.stateDict !== 'object') throw new CheckpointError(`${fn}: spec.stateDict must be an object of tensor payloads`);
    const tensors: Record<string, tf.Tensor> = {};
    try {
      for (const [name, p] of Object.entries(spec.stateDict)) tensors[name] = payloadToTensor(p);
      model.loadStateDict(tensors);
    } catch (e) {
      model.dispose();
      throw e;
    } finally {
      for (const t of Object.values(tensors)) t.dispose();
    }
  }
  model.eval();
  return model;
}

/** One item of the model task ({@link modelTaskUrl}): a batch in the model's input layout. @category Parallel */
export interface ModelTaskInput {
  /** The batch (NHWC for images). */
  x: TensorPayload;
}

/** The result of one item of the model task ({@link modelTaskUrl}). @category Parallel */
export interface ModelTaskOutput {
  /** The model's output on the batch. */
  y: TensorPayload;
}
