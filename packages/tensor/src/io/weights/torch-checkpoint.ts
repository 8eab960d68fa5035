import { FormatError, InvalidValueError, NotAvailableError, checkOptions } from '../../errors';
import { PickleGlobal, describeValue, unpickle, type UnpickleContext } from './pickle';
import {
  DTYPE_INFO,
  allocRawData,
  decodeRawData,
  describe,
  putKey,
  requireLittleEndianHost,
  type RawTensor,
  type RawTensorData,
  type TorchDtype,
} from './raw-tensor';
import { readFileBytes } from './read-file-bytes';
import { looksLikeZip, readZipDirectory, readZipEntry, type ZipEntry } from './zip';

const FN = 'readTorchCheckpoint';

/** Magic number opening a legacy (pre-1.6) checkpoint, and its serialization protocol. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

/** PyTorch storage classes and the dtype of their elements. */
const STORAGE_DTYPES: Readonly<Record<string, TorchDtype>> = Object.freeze({
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  DoubleStorage: 'F64',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
});

/** A storage class global (`torch.FloatStorage`, …). */
class StorageType extends PickleGlobal {
  constructor(
    qualifiedName: string,
    readonly dtype: TorchDtype,
  ) {
    super(qualifiedName);
  }
}

/** A persistent-id reference to (a view of) a storage whose bytes are read later. */
class StorageRef {
  constructor(
    readonly dtype: TorchDtype,
    /** Key of the root storage holding the bytes. */
    readonly key: string,
    /** Element offset of this view into the root storage (legacy views; else 0). */
    readonly viewOffset: number,
    /** Elements in this view. */
    readonly numel: number,
  ) {}
}

/** A tensor whose storage bytes may not have been read yet. */
class PendingTensor {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly size: number[],
    readonly stride: number[],
    /** File offset of the REDUCE that built it, for messages. */
    readonly at: number,
  ) {}
}

function fail(message: string, at: number): never {
  throw new FormatError(`${FN}: ${message}`, at);
}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

function checkIndex(v: unknown, what: string, at: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    fail(`${what} must be a non-negative integer, got ${describeValue(v)}`, at);
  }
  return v as number;
}

function checkIntTuple(v: unknown, what: string, at: number): number[] {
  if (!Array.isArray(v)) fail(`${what} must be a tuple of integers, got ${describeValue(v)}`, at);
  return (v as unknown[]).map((x, i) => checkIndex(x, `${what}[${i}]`, at));
}

function rebuildTensor(args: unknown[], at: number, name: string, min: number, max: number): PendingTensor {
  if (args.length < min || args.length > max) {
    fail(`${name} takes ${min === max ? min : `${min}–${max}`} arguments, got ${args.length}`, at);
  }
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof StorageRef)) fail(`${name}: storage must be a persistent storage, got ${describeValue(storage)}`, at);
  const sizes = checkIntTuple(size, `${name}: size`, at);
  const strides = checkIntTuple(stride, `${name}: stride`, at);
  if (sizes.length !== strides.length) {
    fail(`${name}: size and stride must have the same length, got ${sizes.length} and ${strides.length}`, at);
  }
  return new PendingTensor(storage as StorageRef, checkIndex(offset, `${name}: storage offset`, at), sizes, strides, at);
}

function isTensorLike(v: unknown): boolean {
  return v instanceof PendingTensor;
}

/** The globals a tensor checkpoint may use; everything else is refused. */
function allowedGlobals(): Map<string, PickleGlobal> {
  const g = new Map<string, PickleGlobal>();
  const add = (q: PickleGlobal) => g.set(q.qualifiedName, q);
  for (const [cls, dtype] of Object.entries(STORAGE_DTYPES)) add(new StorageType(`torch.${cls}`, dtype));
  add(
    new PickleGlobal('collections.OrderedDict', (args, at, newDict) => {
      const d = newDict();
      if (args.length === 0) return d;
      if (args.length === 1 && Array.isArray(args[0])) {
        for (const pair of args[0] as unknown[]) {
          if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') {
            fail('OrderedDict items must be (str, value) pairs', at);
          }
          putKey(d, (pair as unknown[])[0] as string, (pair as unknown[])[1]);
        }
        return d;
      }
      return fail(`OrderedDict takes no arguments or one list of pairs, got ${args.length} arguments`, at);
    }),
  );
  add(new PickleGlobal('torch._utils._rebuild_tensor_v2', (a, at) => rebuildTensor(a, at, '_rebuild_tensor_v2', 6, 7)));
  add(new PickleGlobal('torch._utils._rebuild_tensor', (a, at) => rebuildTensor(a, at, '_rebuild_tensor', 4, 4)));
  const parameter = (name: string, n: number) =>
    new PickleGlobal(`torch._utils.${name}`, (args, at) => {
      if (args.length !== n || !isTensorLike(args[0])) fail(`${name} takes a tensor and ${n - 1} more arguments`, at);
      return args[0];
    });
  add(parameter('_rebuild_parameter', 3));
  add(parameter('_rebuild_parameter_with_state', 4));
  const tensorType = new PickleGlobal('torch.Tensor');
  const parameterType = new PickleGlobal('torch.nn.parameter.Parameter');
  add(tensorType);
  add(parameterType);
  add(
    new PickleGlobal('torch._tensor._rebuild_from_type_v2', (args, at, newDict) => {
      const [func, type, fargs] = args;
      if (args.length !== 4 || !(func instanceof PickleGlobal) || !func.call || !Array.isArray(fargs)) {
        fail('_rebuild_from_type_v2 takes (function, type, args, state)', at);
      }
      if (type !== tensorType && type !== parameterType) {
        fail(`_rebuild_from_type_v2: type must be torch.Tensor or torch.nn.parameter.Parameter, got ${describeValue(type)}`, at);
      }
      const out = (func as PickleGlobal).call!(fargs as unknown[], at, newDict);
      if (!isTensorLike(out)) fail('_rebuild_from_type_v2 must rebuild a tensor', at);
      return out;
    }),
  );
  add(
    new PickleGlobal('torch.device', (args, at) => {
      if (args.length < 1 || args.length > 2 || typeof args[0] !== 'string') fail('torch.device takes (type[, index])', at);
      if (args.length === 2 && args[1] !== null) return `${args[0]}:${checkIndex(args[1], 'device index', at)}`;
      return args[0];
    }),
  );
  add(
    new PickleGlobal('_codecs.encode', (args, at) => {
      const [text, encoding] = args;
      if (args.length !== 2 || typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
        fail("_codecs.encode is only allowed as encode(str, 'latin1') (protocol-2 bytes)", at);
      }
      const s = text as string;
      const out = new Uint8Array(s.length);
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c > 255) fail('_codecs.encode: latin-1 text must have code points below 256', at);
        out[i] = c;
      }
      return out;
    }),
  );
  return g;
}

/** Validates a storage persistent id and records the storage's dtype and size by key. */
function storageFromPid(
  pid: unknown,
  at: number,
  legacy: boolean,
  storages: Map<string, { dtype: TorchDtype; numel: number }>,
): StorageRef {
  if (!Array.isArray(pid) || pid.length === 0) fail(`persistent id must be a tuple, got ${describeValue(pid)}`, at);
  const tuple = pid as unknown[];
  if (tuple[0] === 'module') {
    fail('the checkpoint pickles module source code (a whole model, not a state dict); this is not supported', at);
  }
  const expected = legacy ? 6 : 5;
  if (tuple[0] !== 'storage' || tuple.length !== expected) {
    fail(`persistent id must be ('storage', type, key, location, numel${legacy ? ', view' : ''}), got ${describeValue(pid)}`, at);
  }
  const [, type, key, , numelValue] = tuple;
  if (!(type instanceof StorageType)) fail(`persistent id storage type must be a storage class, got ${describeValue(type)}`, at);
  if (typeof key !== 'string') fail(`persistent id storage key must be a string, got ${describeValue(key)}`, at);
  const dtype = (type as StorageType).dtype;
  const numel = checkIndex(numelValue, 'storage size', at);
  const k = key as string;
  const known = storages.get(k);
  if (known && (known.dtype !== dtype || known.numel !== numel)) {
    fail(`storage '${k}' is referenced as ${known.numel}×${known.dtype} and as ${numel}×${dtype}`, at);
  }
  storages.set(k, { dtype, numel });
  const view = legacy ? tuple[5] : null;
  if (view === null || view === undefined) return new StorageRef(dtype, k, 0, numel);
  if (!Array.isArray(view) || view.length !== 3) fail(`storage view must be (key, offset, size), got ${describeValue(view)}`, at);
  const offset = checkIndex(view[1], 'storage view offset', at);
  const size = checkIndex(view[2], 'storage view size', at);
  if (offset + size > numel) fail(`storage view [${offset}, ${offset + size}) exceeds storage '${k}' of ${numel} elements`, at);
  return new StorageRef(dtype, k, offset, size);
}

/** Replaces every pending tensor (and bare storage) in the tree by a RawTensor, in place. */
function materialize(
  root: unknown,
  loadStorage: (key: string, at: number) => RawTensorData,
  maxElements: number,
): unknown {
  const done = new Map<object, RawTensor>();
  let budget = maxElements;
  const build = (p: PendingTensor | StorageRef): RawTensor => {
    const cached = done.get(p);
    if (cached) return cached;
    const t = p instanceof PendingTensor ? p : new PendingTensor(p, 0, [p.numel], [1], 0);
    const at = t.at;
    const s = t.storage;
    let numel = 1;
    for (const d of t.size) numel *= d;
    if (!Number.isSafeInteger(numel) || numel > budget) {
      fail(`tensor of shape [${t.size.join(', ')}] exceeds the element limit of ${maxElements} for this file`, at);
    }
    budget -= numel;
    let data: RawTensorData;
    if (numel === 0) {
      data = allocRawData(s.dtype, 0);
    } else {
      let last = t.offset;
      for (let i = 0; i < t.size.length; i++) last += (t.size[i] - 1) * t.stride[i];
      if (last >= s.numel) {
        fail(
          `tensor of shape [${t.size.join(', ')}], stride [${t.stride.join(', ')}], offset ${t.offset} reads element ${last} of storage '${s.key}' with ${s.numel} elements`,
          at,
        );
      }
      const storage = loadStorage(s.key, at);
      const base = s.viewOffset + t.offset;
      let contiguous = true;
      for (let i = t.size.length - 1, expect = 1; i >= 0; i--) {
        if (t.size[i] !== 1 && t.stride[i] !== expect) contiguous = false;
        expect *= t.size[i];
      }
      if (contiguous) {
        data = storage.slice(base, base + numel);
      } else {
        data = allocRawData(s.dtype, numel);
        gather(storage, data, base, t.size, t.stride);
      }
    }
    const raw: RawTensor = { dtype: s.dtype, shape: t.size.slice(), data };
    done.set(p, raw);
    return raw;
  };
  const visited = new Set<object>();
  const todo: object[] = [];
  const visit = (v: unknown): unknown => {
    if (v instanceof PendingTensor || v instanceof StorageRef) return build(v);
    if (v instanceof PickleGlobal) return v.qualifiedName;
    if ((Array.isArray(v) || isDict(v)) && !visited.has(v)) {
      visited.add(v);
      todo.push(v);
    }
    return v;
  };
  const out = visit(root);
  while (todo.length > 0) {
    const c = todo.pop()!;
    if (Array.isArray(c)) {
      for (let i = 0; i < c.length; i++) c[i] = visit(c[i]);
    } else {
      const d = c as Record<string, unknown>;
      for (const k of Object.keys(d)) d[k] = visit(d[k]);
    }
  }
  return out;
}

/** Copies a strided view of `src` into row-major `dst`. */
function gather(src: RawTensorData, dst: RawTensorData, base: number, size: number[], stride: number[]): void {
  const rank = size.length;
  const idx = new Array<number>(rank).fill(0);
  let off = base;
  const s = src as unknown as ArrayLike<number | bigint> & { [i: number]: number | bigint };
  const d = dst as unknown as { [i: number]: number | bigint };
  for (let n = 0; n < dst.length; n++) {
    d[n] = s[off];
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax]++;
      off += stride[ax];
      if (idx[ax] < size[ax]) break;
      off -= stride[ax] * size[ax];
      idx[ax] = 0;
    }
  }
}

/** Reads a whole checkpoint file of either layout into the unpickled tree. */
function readTree(bytes: Uint8Array, opaqueGlobals: boolean): unknown {
  if (looksLikeZip(bytes)) return readZipCheckpoint(bytes, opaqueGlobals);
  if (bytes.length > 0 && bytes[0] === 0x80) return readLegacyCheckpoint(bytes, opaqueGlobals);
  return fail(
    bytes.length === 0
      ? 'file is empty'
      : `not a PyTorch checkpoint: expected a zip archive ('PK') or a legacy pickle (0x80), got 0x${bytes[0].toString(16).padStart(2, '0')}`,
    0,
  );
}

function readZipCheckpoint(bytes: Uint8Array, opaqueGlobals: boolean): unknown {
  const dir = readZipDirectory(bytes, FN);
  const pkls = [...dir.keys()].filter((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (pkls.length !== 1) {
    fail(
      pkls.length === 0
        ? 'zip archive has no <folder>/data.pkl (a TorchScript archive or not a torch.save checkpoint)'
        : `zip archive has several data.pkl records: ${pkls.join(', ')}`,
      0,
    );
  }
  const prefix = pkls[0].slice(0, pkls[0].length - 'data.pkl'.length);
  const byteorder = dir.get(`${prefix}byteorder`);
  if (byteorder) {
    const order = new TextDecoder().decode(readZipEntry(bytes, byteorder, FN)).trim();
    if (order !== 'little') throw new NotAvailableError(`${FN}: only little-endian checkpoints are supported, got byteorder '${order}'`);
  }
  const pklEntry = dir.get(pkls[0])!;
  const pkl = readZipEntry(bytes, pklEntry, FN);
  const storages = new Map<string, { dtype: TorchDtype; numel: number }>();
  const ctx: UnpickleContext = {
    fn: FN,
    what: pklEntry.method === 0 ? pklEntry.name : `${pklEntry.name} (offsets within the inflated record)`,
    baseOffset: pklEntry.method === 0 ? pklEntry.dataOffset : 0,
    globals: allowedGlobals(),
    opaqueGlobals,
    persistentLoad: (pid, at) => storageFromPid(pid, at, false, storages),
  };
  const { value } = unpickle(pkl, 0, ctx);
  const cache = new Map<string, RawTensorData>();
  return materialize(
    value,
    (key, at) => {
      let data = cache.get(key);
      if (data) return data;
      const { dtype, numel } = storages.get(key)!;
      const name = `${prefix}data/${key}`;
      const entry: ZipEntry | undefined = dir.get(name);
      if (!entry) fail(`storage record '${name}' is missing`, at);
      const raw = readZipEntry(bytes, entry!, FN);
      if (raw.length !== numel * DTYPE_INFO[dtype].bytes) {
        fail(`storage record '${name}' must hold ${numel}×${dtype} = ${numel * DTYPE_INFO[dtype].bytes} bytes, got ${raw.length}`, entry!.dataOffset);
      }
      data = decodeRawData(dtype, raw);
      cache.set(key, data);
      return data;
    },
    16 * bytes.length + 2 ** 20,
  );
}

function readLegacyCheckpoint(bytes: Uint8Array, opaqueGlobals: boolean): unknown {
  const plain = (what: string): UnpickleContext => ({ fn: FN, what, baseOffset: 0, globals: new Map() });
  const magic = unpickle(bytes, 0, plain('magic-number pickle'));
  if (magic.value !== LEGACY_MAGIC) {
    fail(`not a PyTorch checkpoint: bad magic number ${describeValue(magic.value)}`, 0);
  }
  const protocol = unpickle(bytes, magic.end, plain('protocol pickle'));
  if (protocol.value !== LEGACY_PROTOCOL) {
    fail(`legacy protocol version must be ${LEGACY_PROTOCOL}, got ${describeValue(protocol.value)}`, magic.end);
  }
  const sysInfo = unpickle(bytes, protocol.end, plain('sys-info pickle'));
  if (!isDict(sysInfo.value)) fail(`sys-info must be a dict, got ${describeValue(sysInfo.value)}`, protocol.end);
  if ((sysInfo.value as Record<string, unknown>).little_endian === false) {
    throw new NotAvailableError(`${FN}: only little-endian checkpoints are supported (sys-info says big-endian)`);
  }
  const storages = new Map<string, { dtype: TorchDtype; numel: number }>();
  const main = unpickle(bytes, sysInfo.end, {
    fn: FN,
    what: 'main pickle',
    baseOffset: 0,
    globals: allowedGlobals(),
    opaqueGlobals,
    persistentLoad: (pid, at) => storageFromPid(pid, at, true, storages),
  });
  const keys = unpickle(bytes, main.end, plain('storage-key pickle'));
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) {
    fail(`storage keys must be a list of strings, got ${describeValue(keys.value)}`, main.end);
  }
  // Per storage, in key order: an int64 LE element count, then the raw little-endian elements.
  const located = new Map<string, Uint8Array>();
  let pos = keys.end;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const key of keys.value as string[]) {
    const info = storages.get(key);
    if (!info) fail(`storage '${key}' has data but no tensor refers to it`, pos);
    if (located.has(key)) fail(`storage '${key}' is listed twice`, pos);
    if (bytes.length - pos < 8) fail(`truncated: storage '${key}' needs an 8-byte element count, ${bytes.length - pos} bytes left`, pos);
    const lo = dv.getUint32(pos, true);
    const hi = dv.getInt32(pos + 4, true);
    const count = hi * 2 ** 32 + lo;
    if (count !== info!.numel) fail(`storage '${key}' must hold ${info!.numel} elements, the file says ${count}`, pos);
    const n = count * DTYPE_INFO[info!.dtype].bytes;
    if (bytes.length - pos - 8 < n) {
      fail(`truncated: storage '${key}' needs ${n} bytes of data, ${bytes.length - pos - 8} left`, pos + 8);
    }
    located.set(key, bytes.subarray(pos + 8, pos + 8 + n));
    pos += 8 + n;
  }
  const cache = new Map<string, RawTensorData>();
  return materialize(
    main.value,
    (key, at) => {
      let data = cache.get(key);
      if (data) return data;
      const raw = located.get(key);
      if (!raw) fail(`storage '${key}' is not in the storage-key list, so it has no data`, at);
      data = decodeRawData(storages.get(key)!.dtype, raw!);
      cache.set(key, data);
      return data;
    },
    16 * bytes.length + 2 ** 20,
  );
}

/**
 * Parses a PyTorch checkpoint (`torch.save` output) into its object tree, with every tensor
 * decoded to a {@link RawTensor}.
 *
 * Both layouts are read: the zip archive of PyTorch ≥ 1.6 (`<folder>/data.pkl`, one
 * `<folder>/data/<key>` record per storage; stored or deflated entries) and the legacy stream
 * (magic-number, protocol and sys-info pickles, the main pickle, the storage-key list, then per
 * storage an int64 element count and the raw little-endian data). The pickle is read by a
 * restricted unpickler that, like PyTorch's `weights_only=True`, only resolves the globals a
 * tensor state dict needs (`torch._utils._rebuild_tensor_v2`, `_rebuild_parameter`, the
 * `torch.*Storage` classes, `collections.OrderedDict`, `torch.device`, …) and refuses any other
 * (e.g. `posix.system`) with a FormatError naming it. Tensors are rebuilt from (storage, offset,
 * size, stride), gathering non-contiguous views; tensors sharing one storage get separate copies.
 * Python values map to: dict → object (keys stringified), list/tuple → array, int → number
 * (bigint beyond 2^53), float → number, str → string, bytes → Uint8Array, None → null.
 * @param bytes - the whole file
 * @param options - see {@link ReadTorchCheckpointOptions}
 * @returns the top-level dict of the checkpoint; the caller owns every array in it
 * @throws InvalidValueError when `bytes` is not a Uint8Array
 * @throws FormatError (with the byte offset) for a corrupt, truncated or unrecognised file, a
 *   refused global, or a top-level object that is not a dict
 * @throws NotAvailableError for a big-endian checkpoint
 * @see https://github.com/pytorch/pytorch/blob/main/torch/serialization.py (both layouts)
 * @example
 * ```ts
 * const ckpt = readTorchCheckpoint(bytes);
 * console.log(Object.keys(ckpt)); // e.g. ['epoch', 'state_dict']
 * ```
 * @category Weights
 */
export function readTorchCheckpoint(bytes: Uint8Array, options: ReadTorchCheckpointOptions = {}): Record<string, unknown> {
  if (!(bytes instanceof Uint8Array)) {
    throw new InvalidValueError(`${FN}: bytes must be a Uint8Array, got ${describe(bytes)}`);
  }
  checkOptions(FN, options, ['unknownGlobals']);
  const unknown = options.unknownGlobals ?? 'error';
  if (unknown !== 'error' && unknown !== 'opaque') {
    throw new InvalidValueError(`${FN}: unknownGlobals must be 'error' or 'opaque', got ${describe(unknown)}`);
  }
  requireLittleEndianHost(FN);
  const tree = readTree(bytes, unknown === 'opaque');
  if (!isDict(tree)) fail(`the top-level object must be a dict, got ${describeTree(tree)}`, 0);
  return tree as Record<string, unknown>;
}

function describeTree(v: unknown): string {
  if (typeof v === 'object' && v !== null && 'dtype' in v && 'shape' in v) return 'a tensor';
  return describeValue(v);
}

/** Options of {@link readTorchCheckpoint}. @category Weights */
export interface ReadTorchCheckpointOptions {
  /**
   * What a global outside the tensor allow-list becomes: `'error'` refuses the file (PyTorch's
   * `weights_only=True`); `'opaque'` reads it as an `OpaqueObject` holding only its name,
   * with its arguments and state dropped unread — for files that keep training state beside the
   * weights, such as PyTorch Lightning `.ckpt` files (`hyper_parameters` holds omegaconf objects).
   * Nothing is imported or executed either way.
   * @defaultValue 'error'
   */
  unknownGlobals?: 'error' | 'opaque';
}

/**
 * Reads a PyTorch checkpoint from disk (Node only) and parses it with {@link readTorchCheckpoint}.
 * @param path - file path
 * @returns as {@link readTorchCheckpoint}
 * @throws NotAvailableError outside Node; the file system's error when the file cannot be read; otherwise as {@link readTorchCheckpoint}
 * @example
 * ```ts
 * const ckpt = await readTorchCheckpointFile('model_zoo/imdn_baseline.pth');
 * ```
 * @category Weights
 */
export async function readTorchCheckpointFile(path: string): Promise<Record<string, unknown>> {
  if (typeof path !== 'string') throw new InvalidValueError(`readTorchCheckpointFile: path must be a string, got ${describe(path)}`);
  return readTorchCheckpoint(await readFileBytes('readTorchCheckpointFile', path));
}
