import { describe, expect, it } from 'vitest';
import { FormatError, InvalidValueError, LabError } from '../../../src/errors';
import { isRawTensor, readTorchCheckpoint, type RawTensor } from '../../../src/io/weights/index';
import { PickleGlobal, unpickle } from '../../../src/io/weights/pickle';
import {
  FIXTURE_TENSORS,
  OP,
  global,
  indexOfBytes,
  int,
  legacyCheckpoint,
  legacyPreamble,
  mulberry32,
  pickle,
  rebuildTensor,
  str,
  zipCheckpoint,
  zipFixturePickle,
} from './fixtures';

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

function expectFixtureTensors(dict: Record<string, unknown>, prefix: string): void {
  for (const t of FIXTURE_TENSORS) {
    const raw = dict[prefix + t.name] as RawTensor;
    expect(isRawTensor(raw), t.name).toBe(true);
    expect(raw.dtype, t.name).toBe(t.dtype);
    expect(raw.shape, t.name).toEqual(t.size);
    expect(Array.from(raw.data as ArrayLike<number | bigint>), t.name).toEqual(t.expected);
  }
  expect(Object.keys(dict).filter((k) => k !== '_metadata')).toEqual(FIXTURE_TENSORS.map((t) => prefix + t.name));
}

describe('readTorchCheckpoint', () => {
  it('reads a stored zip checkpoint: nested dict, numbers, strings, lists, bigint and 9 tensors of 7 dtypes', () => {
    const ckpt = readTorchCheckpoint(zipCheckpoint());
    expect(Object.keys(ckpt)).toEqual(['params', 'epoch', 'lr', 'name', 'ids', 'big']);
    expect(ckpt.epoch).toBe(3);
    expect(ckpt.lr).toBe(0.5);
    expect(ckpt.name).toBe('fixture');
    expect(ckpt.ids).toEqual([1, 2]);
    expect(ckpt.big).toBe(1n << 70n);
    expectFixtureTensors(ckpt.params as Record<string, unknown>, '');
  });

  it('reads a Node Buffer from the shared pool (non-zero byteOffset) like a plain Uint8Array', () => {
    for (const file of [zipCheckpoint(), legacyCheckpoint()]) {
      const buf = Buffer.from(file); // small Buffers live at an offset inside a shared pool
      expect(readTorchCheckpoint(buf)).toEqual(readTorchCheckpoint(file));
    }
  });

  it('reads a deflated zip checkpoint identically', () => {
    const stored = readTorchCheckpoint(zipCheckpoint({ level: 0 }));
    const deflated = readTorchCheckpoint(zipCheckpoint({ level: 6 }));
    expect(deflated).toEqual(stored);
  });

  it('reads a legacy checkpoint (magic, protocol 1001, sys-info, persistent ids, int64 counts)', () => {
    const ckpt = readTorchCheckpoint(legacyCheckpoint());
    expectFixtureTensors(ckpt, 'module.');
  });

  it('gives tensors that share a storage separate copies', () => {
    const p = readTorchCheckpoint(zipCheckpoint()).params as Record<string, RawTensor>;
    (p['proj.weight'].data as Float32Array)[0] = 99;
    expect(Array.from(p['proj.bias'].data as Float32Array)).toEqual([4, 5]);
  });

  it('returns the same RawTensor for a memoised tensor referenced twice', () => {
    const pkl = pickle([
      OP.EMPTY_DICT,
      ...str('a'),
      ...rebuildTensor(FIXTURE_TENSORS[1], false),
      OP.BINPUT,
      7,
      OP.SETITEM,
      ...str('b'),
      OP.BINGET,
      7,
      OP.SETITEM,
    ]);
    const ckpt = readTorchCheckpoint(zipCheckpoint({ pkl }));
    expect(ckpt.a).toBe(ckpt.b);
    expect(Array.from((ckpt.a as RawTensor).data as Float32Array)).toEqual([-0.5, 0.25]);
  });

  it("refuses GLOBAL 'posix\\nsystem\\n' with a FormatError naming it, at the opcode's byte offset", () => {
    const body = [...global('posix', 'system'), ...str('echo pwned'), OP.TUPLE1, OP.REDUCE];
    const pkl = pickle(body);
    const file = zipCheckpoint({ pkl });
    const err = catchError(() => readTorchCheckpoint(file)) as FormatError;
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toContain("'posix.system'");
    expect(err.message).toContain('readTorchCheckpoint');
    // PROTO 2 takes two bytes, so GLOBAL sits 2 bytes into the stored data.pkl record.
    expect(err.offset).toBe(indexOfBytes(file, pkl) + 2);
  });

  it('refuses a foreign global in a legacy main pickle, and one reached by STACK_GLOBAL', () => {
    const main = pickle([...global('torch.storage', '_load_from_bytes'), ...str('x'), OP.TUPLE1, OP.REDUCE]);
    const e1 = catchError(() => readTorchCheckpoint(legacyCheckpoint({ main }))) as Error;
    expect(e1).toBeInstanceOf(FormatError);
    expect(e1.message).toContain("'torch.storage._load_from_bytes'");
    const viaStack = pickle([...str('builtins'), ...str('eval'), OP.STACK_GLOBAL, ...str('1'), OP.TUPLE1, OP.REDUCE]);
    const e2 = catchError(() => readTorchCheckpoint(zipCheckpoint({ pkl: viaStack }))) as Error;
    expect(e2).toBeInstanceOf(FormatError);
    expect(e2.message).toContain("'builtins.eval'");
  });

  it('rejects a bad legacy magic number with a FormatError at byte 0', () => {
    const file = legacyCheckpoint();
    file[4] ^= 0xff; // first byte of the LONG1 payload
    const err = catchError(() => readTorchCheckpoint(file)) as FormatError;
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toContain('magic number');
    expect(err.offset).toBe(0);
  });

  it('rejects a tensor view that reads past its storage, naming the storage', () => {
    const t = { ...FIXTURE_TENSORS[1], offset: 1 }; // 2 elements from offset 1 of a 2-element storage
    const pkl = pickle([OP.EMPTY_DICT, ...str('x'), ...rebuildTensor(t, false), OP.SETITEM]);
    const err = catchError(() => readTorchCheckpoint(zipCheckpoint({ pkl }))) as Error;
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toContain("storage '1'");
  });

  it('rejects a storage record whose size differs from the persistent id', () => {
    const pkl = pickle([OP.EMPTY_DICT, ...str('x'), ...rebuildTensor({ ...FIXTURE_TENSORS[1], numel: 3, size: [3] }, false), OP.SETITEM]);
    const err = catchError(() => readTorchCheckpoint(zipCheckpoint({ pkl }))) as Error;
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toContain("'archive/data/1'");
  });

  it('rejects a zip without data.pkl and a top-level object that is not a dict', () => {
    const noPkl = zipCheckpoint();
    const at = indexOfBytes(noPkl, new TextEncoder().encode('archive/data.pkl'));
    noPkl[at + 13] = 0x71; // 'archive/data.qkl' in the local header …
    const cd = indexOfBytes(noPkl.subarray(at + 1), new TextEncoder().encode('archive/data.pkl')) + at + 1;
    noPkl[cd + 13] = 0x71; // … and in the central directory
    expect(catchError(() => readTorchCheckpoint(noPkl))).toBeInstanceOf(FormatError);
    const list = pickle([OP.EMPTY_LIST]);
    const err = catchError(() => readTorchCheckpoint(zipCheckpoint({ pkl: list }))) as Error;
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toContain('top-level object must be a dict');
  });

  it('rejects input that is not a Uint8Array with InvalidValueError naming bytes', () => {
    const err = catchError(() => readTorchCheckpoint([1, 2, 3] as unknown as Uint8Array)) as Error;
    expect(err).toBeInstanceOf(InvalidValueError);
    expect(err.message).toContain('bytes');
  });

  it('throws FormatError for every truncation of the zip and legacy fixtures, in well under 10 s', () => {
    const t0 = performance.now();
    for (const file of [zipCheckpoint(), zipCheckpoint({ level: 6 }), legacyCheckpoint()]) {
      for (let cut = 0; cut < file.length; cut++) {
        const err = catchError(() => readTorchCheckpoint(file.subarray(0, cut)));
        if (!(err instanceof FormatError)) throw new Error(`cut ${cut} of ${file.length}: ${String(err)}`);
      }
    }
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('throws FormatError for 3000 seeded random inputs (plain, PK-prefixed, pickle-prefixed)', () => {
    const rand = mulberry32(20240601);
    const prefixes = [[], [0x50, 0x4b, 3, 4], [0x80, 2], [...legacyPreamble(), 0x80, 2]];
    for (let i = 0; i < 3000; i++) {
      const prefix = prefixes[i % prefixes.length];
      const n = Math.floor(rand() * 600);
      const file = new Uint8Array(prefix.length + n);
      file.set(prefix);
      for (let j = prefix.length; j < file.length; j++) file[j] = Math.floor(rand() * 256);
      const err = catchError(() => readTorchCheckpoint(file));
      if (!(err instanceof FormatError)) throw new Error(`input ${i}: ${String(err)}`);
    }
  });

  it('either parses or throws a LabError for 3000 seeded byte mutations of the fixtures', () => {
    const rand = mulberry32(7);
    const sources = [zipCheckpoint(), zipCheckpoint({ level: 6 }), legacyCheckpoint()];
    let failures = 0;
    for (let i = 0; i < 3000; i++) {
      const file = sources[i % sources.length].slice();
      const flips = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < flips; k++) file[Math.floor(rand() * file.length)] = Math.floor(rand() * 256);
      try {
        readTorchCheckpoint(file);
      } catch (e) {
        if (!(e instanceof LabError)) throw new Error(`mutation ${i}: ${String(e)}`);
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(1000); // most mutations are detected (CRC, opcodes, layout)
  });
});

describe('unpickle', () => {
  const ctx = { fn: 'test', what: 'pickle', baseOffset: 0, globals: new Map<string, PickleGlobal>() };

  it('decodes the protocol-2 scalar opcodes to their Python values', () => {
    const v = unpickle(
      pickle([
        OP.MARK,
        ...int(200),
        ...int(40000),
        ...int(-5),
        OP.NEWTRUE,
        OP.NEWFALSE,
        OP.NONE,
        0x8a, 2, 0xff, 0x7f, // LONG1 0x7fff = 32767
        0x8a, 1, 0xff, // LONG1 -1
        0x55, 2, 0x68, 0x69, // SHORT_BINSTRING 'hi'
        0x43, 2, 1, 2, // SHORT_BINBYTES
        OP.TUPLE,
      ]),
      0,
      ctx,
    ).value;
    expect(v).toEqual([200, 40000, -5, true, false, null, 32767, -1, 'hi', new Uint8Array([1, 2])]);
  });

  it('throws FormatError (never a RangeError or a hang) for 5000 seeded random opcode streams', () => {
    const rand = mulberry32(99);
    for (let i = 0; i < 5000; i++) {
      const n = 1 + Math.floor(rand() * 200);
      const b = new Uint8Array(n + 2);
      b[0] = 0x80;
      b[1] = 2;
      for (let j = 2; j < b.length; j++) b[j] = Math.floor(rand() * 256);
      try {
        unpickle(b, 0, ctx);
      } catch (e) {
        if (!(e instanceof FormatError)) throw new Error(`stream ${i}: ${String(e)}`);
      }
    }
  });

  it('reports a pickle without STOP as truncated at its end offset', () => {
    const err = catchError(() => unpickle(new Uint8Array([0x80, 2, ...int(1)]), 0, { ...ctx, baseOffset: 100 })) as FormatError;
    expect(err).toBeInstanceOf(FormatError);
    expect(err.offset).toBe(104);
    expect(err.message).toContain('without STOP');
  });
});
