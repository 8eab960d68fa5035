/**
 * Hand-assembled pickles and PyTorch checkpoints for the weight-I/O tests. Every byte follows
 * the pickle opcode table (CPython Lib/pickletools.py) and torch/serialization.py's layouts, so
 * the tests run without the shared data. The zip container is written by fflate (an independent
 * zip writer), the legacy stream byte by byte.
 */
import { zipSync } from 'fflate';

export const OP = {
  PROTO: 0x80,
  STOP: 0x2e,
  MARK: 0x28,
  EMPTY_DICT: 0x7d,
  EMPTY_LIST: 0x5d,
  EMPTY_TUPLE: 0x29,
  TUPLE: 0x74,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  SETITEM: 0x73,
  SETITEMS: 0x75,
  APPEND: 0x61,
  APPENDS: 0x65,
  REDUCE: 0x52,
  BUILD: 0x62,
  BINPERSID: 0x51,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  NONE: 0x4e,
  BINPUT: 0x71,
  BINGET: 0x68,
  MEMOIZE: 0x94,
  STACK_GLOBAL: 0x93,
} as const;

const te = new TextEncoder();

/** Little-endian bytes of an unsigned integer of `n` bytes. */
export function le(value: number | bigint, n: number): number[] {
  let v = BigInt(value);
  if (v < 0n) v += 1n << BigInt(8 * n);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}

/** GLOBAL 'module\nname\n'. */
export function global(module: string, name: string): number[] {
  return [0x63, ...te.encode(`${module}\n${name}\n`)];
}

/** BINUNICODE (u32 length + UTF-8). */
export function str(s: string): number[] {
  const b = te.encode(s);
  return [0x58, ...le(b.length, 4), ...b];
}

/** SHORT_BINUNICODE (u8 length + UTF-8). */
export function shortStr(s: string): number[] {
  const b = te.encode(s);
  return [0x8c, b.length, ...b];
}

/** The smallest integer opcode: BININT1, BININT2 or BININT. */
export function int(n: number): number[] {
  if (n >= 0 && n < 256) return [0x4b, n];
  if (n >= 0 && n < 65536) return [0x4d, ...le(n, 2)];
  return [0x4a, ...le(n, 4)];
}

/** LONG1: length byte then two's-complement little-endian bytes. */
export function long1(v: bigint, n: number): number[] {
  return [0x8a, n, ...le(v, n)];
}

/** BINFLOAT: 8-byte big-endian IEEE double. */
export function float(x: number): number[] {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, x, false);
  return [0x47, ...b];
}

/** A storage persistent id, (`'storage'`, class, key, location, numel[, view]) + BINPERSID. */
export function storage(cls: string, key: string, numel: number, legacy: boolean): number[] {
  return [
    OP.MARK,
    ...str('storage'),
    ...global('torch', cls),
    ...str(key),
    ...str('cpu'),
    ...int(numel),
    ...(legacy ? [OP.NONE] : []),
    OP.TUPLE,
    OP.BINPERSID,
  ];
}

/** The spec of one tensor in a fixture: a view (offset, size, stride) of a storage. */
export interface TensorSpec {
  name: string;
  cls: string;
  key: string;
  numel: number;
  offset: number;
  size: number[];
  stride: number[];
}

/** `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())`. */
export function rebuildTensor(t: TensorSpec, legacy: boolean): number[] {
  return [
    ...global('torch._utils', '_rebuild_tensor_v2'),
    OP.MARK,
    ...storage(t.cls, t.key, t.numel, legacy),
    ...int(t.offset),
    OP.MARK,
    ...t.size.flatMap(int),
    OP.TUPLE,
    OP.MARK,
    ...t.stride.flatMap(int),
    OP.TUPLE,
    OP.NEWFALSE,
    ...global('collections', 'OrderedDict'),
    OP.EMPTY_TUPLE,
    OP.REDUCE,
    OP.TUPLE,
    OP.REDUCE,
  ];
}

/** An OrderedDict of tensors (as left on the stack, no STOP), with a trailing `_metadata` BUILD. */
export function orderedDictOfTensors(tensors: TensorSpec[], legacy: boolean, prefix = ''): number[] {
  return [
    ...global('collections', 'OrderedDict'),
    OP.EMPTY_TUPLE,
    OP.REDUCE,
    OP.MARK,
    ...tensors.flatMap((t) => [...str(prefix + t.name), ...rebuildTensor(t, legacy)]),
    OP.SETITEMS,
    // state = {'_metadata': {'': {'version': 1}}}, as PyTorch writes it
    OP.EMPTY_DICT,
    ...str('_metadata'),
    OP.EMPTY_DICT,
    ...str(''),
    OP.EMPTY_DICT,
    ...str('version'),
    ...int(1),
    OP.SETITEM,
    OP.SETITEM,
    OP.SETITEM,
    OP.BUILD,
  ];
}

/** Storages of the standard fixture: key → [class, little-endian bytes]. */
export function fixtureStorages(): Map<string, { cls: string; bytes: Uint8Array }> {
  const f32 = (v: number[]) => new Uint8Array(new Float32Array(v).buffer);
  return new Map([
    ['0', { cls: 'FloatStorage', bytes: f32([1, 2, 3, 4, 5, 6, 7, 8]) }],
    ['1', { cls: 'FloatStorage', bytes: f32([-0.5, 0.25]) }],
    ['2', { cls: 'FloatStorage', bytes: f32([0, 1, 2, 3, 4, 5]) }],
    ['3', { cls: 'LongStorage', bytes: new Uint8Array(le(7, 8)) }],
    ['4', { cls: 'HalfStorage', bytes: new Uint8Array([...le(0x3c00, 2), ...le(0x3555, 2), ...le(0xc000, 2)]) }],
    ['5', { cls: 'DoubleStorage', bytes: new Uint8Array(new Float64Array([0.5, -1.25]).buffer) }],
    ['6', { cls: 'BFloat16Storage', bytes: new Uint8Array(le(0x3eab, 2)) }],
    ['7', { cls: 'BoolStorage', bytes: new Uint8Array([1, 0]) }],
  ]);
}

/** Tensors of the standard fixture, with their expected decoded values (derived by hand). */
export const FIXTURE_TENSORS: (TensorSpec & { dtype: string; expected: number[] | bigint[] })[] = [
  // contiguous OIHW weight over all of storage 0
  { name: 'conv.weight', cls: 'FloatStorage', key: '0', numel: 8, offset: 0, size: [2, 1, 2, 2], stride: [4, 4, 2, 1], dtype: 'F32', expected: [1, 2, 3, 4, 5, 6, 7, 8] },
  { name: 'conv.bias', cls: 'FloatStorage', key: '1', numel: 2, offset: 0, size: [2], stride: [1], dtype: 'F32', expected: [-0.5, 0.25] },
  // transposed view of storage 2 = [[0,1],[2,3],[4,5]]: element [i,j] = s[i + 2j]
  { name: 'proj.weight', cls: 'FloatStorage', key: '2', numel: 6, offset: 0, size: [2, 3], stride: [1, 2], dtype: 'F32', expected: [0, 2, 4, 1, 3, 5] },
  // a second view into storage 2: elements 4 and 5
  { name: 'proj.bias', cls: 'FloatStorage', key: '2', numel: 6, offset: 4, size: [2], stride: [1], dtype: 'F32', expected: [4, 5] },
  // scalar int64 buffer
  { name: 'bn.num_batches_tracked', cls: 'LongStorage', key: '3', numel: 1, offset: 0, size: [], stride: [], dtype: 'I64', expected: [7n] },
  // F16 0x3c00 = 1, 0x3555 = 1365/4096, 0xc000 = -2
  { name: 'half', cls: 'HalfStorage', key: '4', numel: 3, offset: 0, size: [3], stride: [1], dtype: 'F16', expected: [1, 1365 / 4096, -2] },
  { name: 'double', cls: 'DoubleStorage', key: '5', numel: 2, offset: 0, size: [2], stride: [1], dtype: 'F64', expected: [0.5, -1.25] },
  // BF16 0x3eab = 1.3359375 · 2^-2
  { name: 'bf16', cls: 'BFloat16Storage', key: '6', numel: 1, offset: 0, size: [1], stride: [1], dtype: 'BF16', expected: [0.333984375] },
  { name: 'mask', cls: 'BoolStorage', key: '7', numel: 2, offset: 0, size: [2], stride: [1], dtype: 'BOOL', expected: [1, 0] },
];

/** A complete pickle: PROTO 2, `body`, STOP. */
export function pickle(body: number[]): Uint8Array {
  return new Uint8Array([OP.PROTO, 2, ...body, OP.STOP]);
}

/**
 * The data.pkl of the zip fixture: `{'params': OrderedDict(tensors), 'epoch': 3, 'lr': 0.5,
 * 'name': 'fixture', 'ids': [1, 2], 'big': 2**70}`.
 */
export function zipFixturePickle(): Uint8Array {
  return pickle([
    OP.EMPTY_DICT,
    OP.BINPUT,
    0,
    OP.MARK,
    ...str('params'),
    ...orderedDictOfTensors(FIXTURE_TENSORS, false),
    ...str('epoch'),
    ...int(3),
    ...shortStr('lr'),
    ...float(0.5),
    ...str('name'),
    ...str('fixture'),
    ...str('ids'),
    OP.EMPTY_LIST,
    OP.MARK,
    ...int(1),
    ...int(2),
    OP.APPENDS,
    ...str('big'),
    ...long1(1n << 70n, 9),
    OP.SETITEMS,
  ]);
}

/** A zip checkpoint laid out like `torch.save` (folder `archive`). */
export function zipCheckpoint(options: { level?: 0 | 6; pkl?: Uint8Array; storages?: Map<string, { bytes: Uint8Array }> } = {}): Uint8Array {
  const level = options.level ?? 0;
  const files: Record<string, [Uint8Array, { level: 0 | 6 }]> = {
    'archive/data.pkl': [options.pkl ?? zipFixturePickle(), { level }],
  };
  for (const [key, s] of options.storages ?? fixtureStorages()) files[`archive/data/${key}`] = [s.bytes, { level }];
  files['archive/version'] = [te.encode('3\n'), { level }];
  return zipSync(files);
}

/** The legacy magic number 0x1950a86a20f9469cfc6c as LONG1, then protocol 1001, then sys-info. */
export function legacyPreamble(): number[] {
  return [
    ...pickle(long1(0x1950a86a20f9469cfc6cn, 10)),
    ...pickle(int(1001)),
    ...pickle([
      OP.EMPTY_DICT,
      OP.MARK,
      ...str('protocol_version'),
      ...int(1001),
      ...str('little_endian'),
      OP.NEWTRUE,
      ...str('type_sizes'),
      OP.EMPTY_DICT,
      OP.MARK,
      ...str('short'),
      ...int(2),
      ...str('int'),
      ...int(4),
      ...str('long'),
      ...int(4),
      OP.SETITEMS,
      OP.SETITEMS,
    ]),
  ];
}

/**
 * A legacy checkpoint: preamble, main pickle (an OrderedDict of the fixture tensors with keys
 * prefixed `module.`), the storage-key list, then per storage an int64 count and its bytes.
 */
export function legacyCheckpoint(options: { main?: Uint8Array } = {}): Uint8Array {
  const storages = fixtureStorages();
  const keys = [...storages.keys()];
  const sizes: Record<string, number> = { FloatStorage: 4, LongStorage: 8, HalfStorage: 2, DoubleStorage: 8, BFloat16Storage: 2, BoolStorage: 1 };
  const out = [
    ...legacyPreamble(),
    ...(options.main ?? pickle(orderedDictOfTensors(FIXTURE_TENSORS, true, 'module.'))),
    ...pickle([OP.EMPTY_LIST, OP.MARK, ...keys.flatMap(str), OP.APPENDS]),
  ];
  for (const key of keys) {
    const s = storages.get(key)!;
    out.push(...le(s.bytes.length / sizes[s.cls], 8), ...s.bytes);
  }
  return new Uint8Array(out);
}

/** Deterministic 32-bit PRNG (mulberry32) for the fuzz tests. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Index of the first occurrence of `needle` in `hay`, or -1. */
export function indexOfBytes(hay: Uint8Array, needle: Uint8Array | number[]): number {
  const n = Array.from(needle);
  outer: for (let i = 0; i + n.length <= hay.length; i++) {
    for (let j = 0; j < n.length; j++) if (hay[i + j] !== n[j]) continue outer;
    return i;
  }
  return -1;
}
