/**
 * A restricted Python unpickler (protocols 0–5, the opcodes that tensor checkpoints use),
 * written from the pickle protocol definition (CPython `Lib/pickletools.py` documents every
 * opcode). Internal to the checkpoint reader.
 *
 * Like PyTorch's `weights_only=True` loader it never imports anything: a GLOBAL resolves only
 * names the caller allows, and anything else is refused with a FormatError naming the global —
 * or, when the caller asks for it (`opaqueGlobals`), stands for an {@link OpaqueObject}.
 * Every loop is bounded by the input length, so corrupt input ends with a FormatError, never a
 * hang. Python values map to JavaScript as: int → number (bigint beyond 2^53), float → number,
 * str → string, bytes → Uint8Array, bool → boolean, None → null, list/tuple/set → array,
 * dict → plain object with stringified keys.
 */
import { FormatError } from '../../errors';
import { putKey } from './raw-tensor';

/** An allowed global: what `GLOBAL module name` resolves to. */
export class PickleGlobal {
  constructor(
    /** `module.name`, e.g. `torch._utils._rebuild_tensor_v2`. */
    readonly qualifiedName: string,
    /**
     * Called by REDUCE / NEWOBJ with the argument tuple, the opcode's file offset and a factory
     * for dicts that SETITEM(S) may fill (for dict-like results such as OrderedDict).
     */
    readonly call?: (args: unknown[], at: number, newDict: () => Record<string, unknown>) => unknown,
  ) {}
}

/**
 * What an object of a class outside the allowed globals becomes with `opaqueGlobals`: its
 * qualified class (or callable) name and nothing else. Its constructor arguments, state (BUILD)
 * and items (SETITEMS, APPENDS) are dropped unread; nothing is imported or executed.
 */
export class OpaqueObject {
  constructor(
    /** `module.name` of the global that produced it (`omegaconf.dictconfig.DictConfig`, …). */
    readonly qualifiedName: string,
  ) {}
}

/** How {@link unpickle} resolves globals and persistent ids, and how it names things in errors. */
export interface UnpickleContext {
  /** Public function name used in messages. */
  fn: string;
  /** What the pickle is, for messages (e.g. `'archive/data.pkl'`). */
  what: string;
  /** File offset of `bytes[0]`, added to every reported offset. */
  baseOffset: number;
  /** Allowed globals by qualified name. */
  globals: ReadonlyMap<string, PickleGlobal>;
  /** Resolves a persistent id (BINPERSID/PERSID); absent means persistent ids are refused. */
  persistentLoad?: (pid: unknown, at: number) => unknown;
  /** Resolve globals outside `globals` to {@link OpaqueObject} factories instead of failing. */
  opaqueGlobals?: boolean;
}

const OPCODE_NAMES: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT',
  0x4a: 'BININT', 0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID',
  0x51: 'BINPERSID', 0x52: 'REDUCE', 0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING',
  0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND', 0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT',
  0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET', 0x69: 'INST', 0x6a: 'LONG_BINGET',
  0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT', 0x72: 'LONG_BINPUT',
  0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT', 0x80: 'PROTO',
  0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2', 0x87: 'TUPLE3',
  0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES', 0x43: 'SHORT_BINBYTES',
  0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS',
  0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL', 0x94: 'MEMOIZE', 0x95: 'FRAME',
  0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/**
 * Runs the pickle that starts at `bytes[start]` until its STOP opcode.
 * @returns the unpickled value and the index just past STOP
 */
export function unpickle(bytes: Uint8Array, start: number, ctx: UnpickleContext): { value: unknown; end: number } {
  const { fn, what, baseOffset } = ctx;
  const end = bytes.length;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  const dicts = new WeakSet<object>();
  const lists = new WeakSet<object>(); // mutable lists and sets; tuples are plain arrays not in here
  let pos = start;
  let opAt = start;
  let opName = '';

  const fail = (message: string, at = opAt): never => {
    throw new FormatError(`${fn}: ${what}: ${message}`, baseOffset + at);
  };
  const need = (n: number): void => {
    if (n > end - pos) fail(`truncated: ${opName} needs ${n} more bytes, ${end - pos} left`);
  };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1])) {
      fail(`${opName} pops from an empty stack`);
    }
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1])) {
      fail(`${opName} needs a value on the stack`);
    }
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    if (marks.length === 0) fail(`${opName} needs a MARK`);
    const m = marks.pop()!;
    return stack.splice(m, stack.length - m);
  };
  const readLine = (): string => {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) fail(`truncated: ${opName} argument has no terminating newline`);
    const s = latin1.decode(bytes.subarray(pos, nl));
    pos = nl + 1;
    return s;
  };
  const readUtf8 = (n: number): string => {
    need(n);
    let s = '';
    try {
      s = utf8.decode(bytes.subarray(pos, pos + n));
    } catch {
      fail(`${opName} string is not valid UTF-8`);
    }
    pos += n;
    return s;
  };
  const readPyStr = (n: number): string => {
    // Python 2 `str` (legacy checkpoints): PyTorch decodes it as UTF-8; fall back to latin-1.
    need(n);
    const sub = bytes.subarray(pos, pos + n);
    pos += n;
    try {
      return utf8.decode(sub);
    } catch {
      return latin1.decode(sub);
    }
  };
  const readBytes = (n: number): Uint8Array => {
    need(n);
    const b = new Uint8Array(n); // a copy, also when `bytes` is a Node Buffer
    b.set(bytes.subarray(pos, pos + n));
    pos += n;
    return b;
  };
  const readU64 = (): number => {
    need(8);
    const lo = dv.getUint32(pos, true);
    const hi = dv.getUint32(pos + 4, true);
    if (hi >= 0x200000) fail(`${opName} length exceeds 2^53`);
    pos += 8;
    return hi * 2 ** 32 + lo;
  };
  const readLong = (n: number): number | bigint => {
    need(n);
    if (n === 0) return 0;
    let hex = '';
    for (let i = pos + n - 1; i >= pos; i--) hex += bytes[i].toString(16).padStart(2, '0');
    let v = BigInt(`0x${hex}`);
    if (bytes[pos + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
    pos += n;
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const keyOf = (k: unknown): string => {
    if (typeof k === 'string') return k;
    if (typeof k === 'number' || typeof k === 'bigint') return String(k);
    if (typeof k === 'boolean') return k ? 'True' : 'False';
    if (k === null) return 'None';
    return fail(`dict keys must be str, int, bool or None, got ${typeof k === 'object' ? 'a container' : typeof k}`);
  };
  const setItems = (dict: unknown, kv: unknown[]): void => {
    if (dict instanceof OpaqueObject) return;
    if (typeof dict !== 'object' || dict === null || !dicts.has(dict)) fail(`${opName} target is not a dict`);
    if (kv.length % 2 !== 0) fail(`${opName} needs key/value pairs, got ${kv.length} values`);
    for (let i = 0; i < kv.length; i += 2) putKey(dict as Record<string, unknown>, keyOf(kv[i]), kv[i + 1]);
  };
  const appendItems = (list: unknown, items: unknown[]): void => {
    if (list instanceof OpaqueObject) return;
    if (!Array.isArray(list) || !lists.has(list)) fail(`${opName} target is not a list`);
    for (const it of items) (list as unknown[]).push(it);
  };
  const newDict = (): Record<string, unknown> => {
    const d: Record<string, unknown> = {};
    dicts.add(d);
    return d;
  };
  const newList = (items: unknown[] = []): unknown[] => {
    lists.add(items);
    return items;
  };
  const resolveGlobal = (module: string, name: string): PickleGlobal => {
    const qn = `${module}.${name}`;
    const g = ctx.globals.get(qn);
    if (!g && ctx.opaqueGlobals) return new PickleGlobal(qn, () => new OpaqueObject(qn));
    if (!g) {
      fail(
        `pickle global '${qn}' is not allowed (only tensor state-dict globals are, like PyTorch's weights_only loader)`,
      );
    }
    return g!;
  };
  const invoke = (callable: unknown, args: unknown): unknown => {
    if (callable instanceof OpaqueObject && ctx.opaqueGlobals) return new OpaqueObject(`${callable.qualifiedName}()`);
    if (!(callable instanceof PickleGlobal) || !callable.call) {
      fail(`${opName} target must be a callable allowed global, got ${describeValue(callable)}`);
    }
    if (!Array.isArray(args)) fail(`${opName} arguments must be a tuple, got ${describeValue(args)}`);
    return (callable as PickleGlobal).call!(args as unknown[], baseOffset + opAt, newDict);
  };
  const memoGet = (i: number): unknown => {
    if (!memo.has(i)) fail(`${opName} refers to memo entry ${i}, which was never stored`);
    return memo.get(i);
  };
  const memoPut = (i: number): void => {
    memo.set(i, top());
  };

  for (;;) {
    if (pos >= end) {
      opAt = pos;
      opName = 'pickle';
      fail('truncated: the pickle ends without STOP');
    }
    opAt = pos;
    const op = bytes[pos++];
    opName = OPCODE_NAMES[op] ?? `0x${op.toString(16).padStart(2, '0')}`;
    switch (op) {
      case 0x80: // PROTO
        need(1);
        if (bytes[pos] > 5) fail(`unsupported pickle protocol ${bytes[pos]} (expected 0–5)`);
        pos += 1;
        break;
      case 0x95: {
        // FRAME: a length prefix we do not need, but it must lie within the input.
        const n = readU64();
        if (n > end - pos) fail(`truncated: FRAME of ${n} bytes, ${end - pos} left`);
        break;
      }
      case 0x2e: {
        // STOP
        const value = pop();
        return { value, end: pos };
      }
      case 0x28:
        marks.push(stack.length);
        break;
      case 0x30: // POP
        if (marks.length > 0 && stack.length === marks[marks.length - 1]) marks.pop();
        else pop();
        break;
      case 0x31:
        popMark();
        break;
      case 0x32:
        stack.push(top());
        break;
      case 0x7d:
        stack.push(newDict());
        break;
      case 0x5d:
        stack.push(newList());
        break;
      case 0x29:
        stack.push([]);
        break;
      case 0x8f: // EMPTY_SET
        stack.push(newList());
        break;
      case 0x64: {
        // DICT
        const kv = popMark();
        const d = newDict();
        setItems(d, kv);
        stack.push(d);
        break;
      }
      case 0x6c:
        stack.push(newList(popMark()));
        break;
      case 0x74:
        stack.push(popMark());
        break;
      case 0x91: // FROZENSET
        stack.push(popMark());
        break;
      case 0x85:
        stack.push([pop()]);
        break;
      case 0x86: {
        const b = pop();
        const a = pop();
        stack.push([a, b]);
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push([a, b, c]);
        break;
      }
      case 0x4a:
        need(4);
        stack.push(dv.getInt32(pos, true));
        pos += 4;
        break;
      case 0x4b:
        need(1);
        stack.push(bytes[pos]);
        pos += 1;
        break;
      case 0x4d:
        need(2);
        stack.push(dv.getUint16(pos, true));
        pos += 2;
        break;
      case 0x8a: {
        need(1);
        const n = bytes[pos++];
        stack.push(readLong(n));
        break;
      }
      case 0x8b: {
        need(4);
        const n = dv.getInt32(pos, true);
        pos += 4;
        if (n < 0) fail(`LONG4 length must be ≥ 0, got ${n}`);
        stack.push(readLong(n));
        break;
      }
      case 0x49: {
        // INT (protocol 0; "01"/"00" are True/False)
        const s = readLine();
        if (s === '01' || s === '00') stack.push(s === '01');
        else {
          if (!/^[+-]?\d+$/.test(s)) fail(`INT argument must be a decimal integer, got '${s.slice(0, 40)}'`);
          const v = BigInt(s);
          stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        }
        break;
      }
      case 0x4c: {
        // LONG (protocol 0)
        const s = readLine().replace(/L$/, '');
        if (!/^[+-]?\d+$/.test(s)) fail(`LONG argument must be a decimal integer, got '${s.slice(0, 40)}'`);
        const v = BigInt(s);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47:
        need(8);
        stack.push(dv.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x46: {
        const s = readLine();
        const v = Number(s);
        if (s.trim() === '' || (Number.isNaN(v) && !/^[+-]?nan$/i.test(s.trim()))) {
          fail(`FLOAT argument must be a number, got '${s.slice(0, 40)}'`);
        }
        stack.push(v);
        break;
      }
      case 0x58: {
        need(4);
        const n = dv.getUint32(pos, true);
        pos += 4;
        stack.push(readUtf8(n));
        break;
      }
      case 0x8c: {
        need(1);
        const n = bytes[pos++];
        stack.push(readUtf8(n));
        break;
      }
      case 0x8d:
        stack.push(readUtf8(readU64()));
        break;
      case 0x54: {
        need(4);
        const n = dv.getInt32(pos, true);
        pos += 4;
        if (n < 0) fail(`BINSTRING length must be ≥ 0, got ${n}`);
        stack.push(readPyStr(n));
        break;
      }
      case 0x55: {
        need(1);
        const n = bytes[pos++];
        stack.push(readPyStr(n));
        break;
      }
      case 0x42: {
        need(4);
        const n = dv.getUint32(pos, true);
        pos += 4;
        stack.push(readBytes(n));
        break;
      }
      case 0x43: {
        need(1);
        const n = bytes[pos++];
        stack.push(readBytes(n));
        break;
      }
      case 0x8e:
      case 0x96:
        stack.push(readBytes(readU64()));
        break;
      case 0x4e:
        stack.push(null);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x73: {
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        const kv = popMark();
        setItems(top(), kv);
        break;
      }
      case 0x61: {
        const v = pop();
        appendItems(top(), [v]);
        break;
      }
      case 0x65:
      case 0x90: {
        // APPENDS, ADDITEMS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x71:
        need(1);
        memoPut(bytes[pos++]);
        break;
      case 0x72:
        need(4);
        memoPut(dv.getUint32(pos, true));
        pos += 4;
        break;
      case 0x94:
        memoPut(memo.size);
        break;
      case 0x70: {
        const s = readLine();
        if (!/^\d+$/.test(s)) fail(`PUT index must be a decimal integer, got '${s.slice(0, 40)}'`);
        memoPut(Number(s));
        break;
      }
      case 0x68:
        need(1);
        stack.push(memoGet(bytes[pos++]));
        break;
      case 0x6a:
        need(4);
        stack.push(memoGet(dv.getUint32(pos, true)));
        pos += 4;
        break;
      case 0x67: {
        const s = readLine();
        if (!/^\d+$/.test(s)) fail(`GET index must be a decimal integer, got '${s.slice(0, 40)}'`);
        stack.push(memoGet(Number(s)));
        break;
      }
      case 0x63: {
        const module = readLine();
        const name = readLine();
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x93: {
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: {
        const args = pop();
        const callable = pop();
        stack.push(invoke(callable, args));
        break;
      }
      case 0x81: {
        const args = pop();
        const cls = pop();
        stack.push(invoke(cls, args));
        break;
      }
      case 0x92: {
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        if (typeof kwargs !== 'object' || kwargs === null || !dicts.has(kwargs) || Object.keys(kwargs).length > 0) {
          fail('NEWOBJ_EX keyword arguments are not supported');
        }
        stack.push(invoke(cls, args));
        break;
      }
      case 0x62: {
        // BUILD: only the attribute state of a dict subclass (OrderedDict's `_metadata`), dropped.
        const state = pop();
        const obj = top();
        if (obj instanceof OpaqueObject) break;
        if (typeof obj !== 'object' || obj === null || !dicts.has(obj)) {
          fail(`BUILD is only supported on dicts, got ${describeValue(obj)}`);
        }
        if (state !== null && (typeof state !== 'object' || (!dicts.has(state) && !Array.isArray(state)))) {
          fail(`BUILD state must be a dict, got ${describeValue(state)}`);
        }
        break;
      }
      case 0x51: {
        const pid = pop();
        if (!ctx.persistentLoad) fail('persistent ids are not allowed here');
        stack.push(ctx.persistentLoad!(pid, baseOffset + opAt));
        break;
      }
      case 0x50: {
        const pid = readLine();
        if (!ctx.persistentLoad) fail('persistent ids are not allowed here');
        stack.push(ctx.persistentLoad!(pid, baseOffset + opAt));
        break;
      }
      default:
        fail(
          op in OPCODE_NAMES
            ? `pickle opcode ${opName} is not supported`
            : `unknown pickle opcode 0x${op.toString(16).padStart(2, '0')}`,
        );
    }
  }
}

/** Short description of an unpickled value, for messages. */
export function describeValue(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof PickleGlobal) return `global '${v.qualifiedName}'`;
  if (Array.isArray(v)) return `a tuple/list of length ${v.length}`;
  if (v instanceof Uint8Array) return `bytes of length ${v.length}`;
  if (typeof v === 'object') return 'a dict or object';
  if (typeof v === 'string') return `str '${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  return `${typeof v} ${String(v)}`;
}
