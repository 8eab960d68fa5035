import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '../../errors';
import type { StateDict } from '../../nn/module';
import { describe, isRawTensor, putKey, rawToInt32, type RawTensor } from './raw-tensor';

/**
 * Creates tfjs tensors from raw tensors, keeping names, shapes and PyTorch layout.
 *
 * Float dtypes (F64, F32, F16, BF16) become float32 tensors, integer dtypes (I64, I32, I16, I8,
 * U8) int32 tensors — every I64 value must fit in int32 — and BOOL bool tensors. All inputs are
 * checked before the first tensor is allocated; the tensors copy the data (no aliasing).
 * @param raw - raw tensors by name, e.g. from {@link readTorchStateDict} or {@link readSafetensors}
 * @returns a state dict with one new tensor per entry; the caller owns them and frees them with
 *   {@link disposeStateDict} (or `Module.loadStateDict`, which copies, followed by it)
 * @throws InvalidValueError when `raw` is not an object, an entry is not a well-formed
 *   RawTensor (named), or an I64 value does not fit in int32 (named, with the index)
 * @example
 * ```ts
 * const dict = stateDictFromRaw(readTorchStateDict(bytes));
 * model.loadStateDict(dict);
 * disposeStateDict(dict);
 * ```
 * @category Weights
 */
export function stateDictFromRaw(raw: Record<string, RawTensor>): StateDict {
  const fn = 'stateDictFromRaw';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidValueError(`${fn}: raw must be an object of RawTensors, got ${describe(raw)}`);
  }
  const prepared: { name: string; values: Float32Array | Int32Array | Uint8Array; shape: number[]; dtype: 'float32' | 'int32' | 'bool' }[] = [];
  for (const [name, t] of Object.entries(raw)) {
    if (!isRawTensor(t)) {
      throw new InvalidValueError(`${fn}: raw['${name}'] must be a RawTensor (dtype, shape, data of product(shape) elements), got ${describe(t)}`);
    }
    if (t.data instanceof Float32Array) prepared.push({ name, values: t.data.slice(), shape: t.shape, dtype: 'float32' });
    else if (t.dtype === 'BOOL') prepared.push({ name, values: new Uint8Array(t.data as Uint8Array), shape: t.shape, dtype: 'bool' });
    else {
      let values: Int32Array;
      try {
        values = rawToInt32(t, `raw['${name}']`);
      } catch (e) {
        throw new InvalidValueError(String((e as Error).message).replace('rawToInt32', fn));
      }
      prepared.push({ name, values, shape: t.shape, dtype: 'int32' });
    }
  }
  const out: StateDict = {};
  try {
    for (const p of prepared) {
      putKey(out, p.name, tf.tensor(p.values, p.shape.slice(), p.dtype));
    }
  } catch (e) {
    disposeStateDict(out);
    throw e;
  }
  return out;
}

/**
 * Disposes every tensor of a state dict (already-disposed tensors are skipped).
 * @param dict - tensors by name, e.g. from {@link stateDictFromRaw}
 * @throws InvalidValueError when `dict` is not an object or holds a value that is not a tf.Tensor
 * @example
 * ```ts
 * disposeStateDict(dict);
 * ```
 * @category Weights
 */
export function disposeStateDict(dict: StateDict): void {
  if (typeof dict !== 'object' || dict === null || Array.isArray(dict)) {
    throw new InvalidValueError(`disposeStateDict: dict must be an object of tensors, got ${describe(dict)}`);
  }
  const values = Object.entries(dict);
  for (const [name, t] of values) {
    if (!(t instanceof tf.Tensor)) {
      throw new InvalidValueError(`disposeStateDict: dict['${name}'] must be a tf.Tensor, got ${describe(t)}`);
    }
  }
  for (const [, t] of values) if (!t.isDisposed) t.dispose();
}
