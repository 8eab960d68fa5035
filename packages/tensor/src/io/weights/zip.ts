/**
 * A minimal zip reader for PyTorch checkpoints: it parses the end-of-central-directory record
 * (with ZIP64 when the 32-bit fields overflow), the central directory and each entry's local
 * header, validating every offset and size against the file, and extracts entries that are
 * stored or deflated (via fflate), checking their CRC-32. Written from the PKWARE APPNOTE.
 * Internal to the checkpoint reader.
 */
import { inflateSync } from 'fflate';
import { FormatError } from '../../errors';
import { crc32 } from '../image/crc32';

/** One file of a zip archive, located and validated. */
export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** File offset of the entry's (compressed) data. */
  dataOffset: number;
  /** File offset of its central-directory record, for messages. */
  recordOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

/** True when `bytes` starts like a zip archive (a local header or an empty archive). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && bytes[3] === bytes[2] + 1;
}

/** Reads the central directory of a zip archive. Entry names map to validated entries. */
export function readZipDirectory(bytes: Uint8Array, fn: string): Map<string, ZipEntry> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.length;
  const fail = (message: string, at: number): never => {
    throw new FormatError(`${fn}: zip: ${message}`, at);
  };
  const u64 = (at: number, what: string): number => {
    const lo = dv.getUint32(at, true);
    const hi = dv.getUint32(at + 4, true);
    if (hi >= 0x200000) fail(`${what} exceeds 2^53`, at);
    return hi * 2 ** 32 + lo;
  };

  // End of central directory: 22 bytes plus a comment of up to 65535 bytes at the very end.
  let eocd = -1;
  for (let i = len - 22; i >= 0 && i >= len - 22 - 0xffff; i--) {
    if (dv.getUint32(i, true) === SIG_EOCD && i + 22 + dv.getUint16(i + 20, true) === len) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('no end-of-central-directory record (truncated or not a zip archive)', Math.max(0, len - 22));
  if (dv.getUint16(eocd + 4, true) !== 0 || dv.getUint16(eocd + 6, true) !== 0) {
    fail('multi-disk archives are not supported', eocd + 4);
  }
  let count = dv.getUint16(eocd + 10, true);
  let cdSize = dv.getUint32(eocd + 12, true);
  let cdOffset = dv.getUint32(eocd + 16, true);
  let cdLimit = eocd; // the central directory must end before this offset
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || dv.getUint32(loc, true) !== SIG_LOCATOR64) fail('ZIP64 end-of-central-directory locator missing', Math.max(0, loc));
    const at = u64(loc + 8, 'ZIP64 record offset');
    if (at + 56 > loc || dv.getUint32(at, true) !== SIG_EOCD64) fail('ZIP64 end-of-central-directory record missing', Math.min(at, len));
    count = u64(at + 32, 'entry count');
    cdSize = u64(at + 40, 'central directory size');
    cdOffset = u64(at + 48, 'central directory offset');
    cdLimit = at;
  }
  if (cdOffset + cdSize > cdLimit) {
    fail(`central directory [${cdOffset}, ${cdOffset + cdSize}) must end before ${cdLimit}`, eocd + 16);
  }
  if (count * 46 > cdSize) fail(`${count} entries cannot fit in a central directory of ${cdSize} bytes`, eocd + 10);

  const names = new TextDecoder('utf-8');
  const entries = new Map<string, ZipEntry>();
  let p = cdOffset;
  const cdEnd = cdOffset + cdSize;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cdEnd) fail(`central directory entry ${k} is truncated`, p);
    if (dv.getUint32(p, true) !== SIG_CENTRAL) fail(`central directory entry ${k} has a bad signature`, p);
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const crc = dv.getUint32(p + 16, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    const disk = dv.getUint16(p + 34, true);
    let localOffset = dv.getUint32(p + 42, true);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > cdEnd) fail(`central directory entry ${k} overruns the directory`, p);
    const name = names.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extended information: the 0xffffffff fields, in order, as 64-bit values.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = dv.getUint16(e, true);
      const sz = dv.getUint16(e + 2, true);
      if (e + 4 + sz > extraEnd) fail(`extra field of '${name}' overruns its record`, e);
      if (id === 0x0001) {
        let q = e + 4;
        const take = (what: string): number => {
          if (q + 8 > e + 4 + sz) fail(`ZIP64 field of '${name}' lacks the ${what}`, e);
          const v = u64(q, what);
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = take('size');
        if (compressedSize === 0xffffffff) compressedSize = take('compressed size');
        if (localOffset === 0xffffffff) localOffset = take('local header offset');
      }
      e += 4 + sz;
    }
    if (flags & 1) fail(`entry '${name}' is encrypted`, p);
    if (disk !== 0 && disk !== 0xffff) fail(`entry '${name}' lies on another disk`, p + 34);
    if (method !== 0 && method !== 8) fail(`entry '${name}' uses compression method ${method} (only stored and deflate are supported)`, p + 10);
    if (method === 0 && compressedSize !== size) {
      fail(`stored entry '${name}' has compressed size ${compressedSize} ≠ size ${size}`, p + 20);
    }
    // Deflate cannot expand more than 1032:1; a larger claim is corrupt (and would waste memory).
    if (method === 8 && size > compressedSize * 1032 + 1024) fail(`entry '${name}' claims an impossible size ${size}`, p + 24);
    if (localOffset + 30 > cdOffset) fail(`local header of '${name}' at ${localOffset} lies outside the data area`, p + 42);
    if (dv.getUint32(localOffset, true) !== SIG_LOCAL) fail(`local header of '${name}' has a bad signature`, localOffset);
    const dataOffset = localOffset + 30 + dv.getUint16(localOffset + 26, true) + dv.getUint16(localOffset + 28, true);
    if (dataOffset + compressedSize > cdOffset) {
      fail(`data of '${name}' [${dataOffset}, ${dataOffset + compressedSize}) runs past the data area (${cdOffset})`, localOffset);
    }
    if (entries.has(name)) fail(`duplicate entry '${name}'`, p);
    entries.set(name, { name, method, crc, compressedSize, size, dataOffset, recordOffset: p });
    p = next;
  }
  return entries;
}

/** The uncompressed bytes of an entry (a view into `bytes` when stored), CRC-checked. */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, fn: string): Uint8Array {
  const raw = bytes.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
  let data = raw;
  if (entry.method === 8) {
    try {
      data = inflateSync(raw, { out: new Uint8Array(entry.size) });
    } catch (e) {
      throw new FormatError(`${fn}: zip: entry '${entry.name}' is not valid deflate data (${(e as Error).message})`, entry.dataOffset);
    }
    if (data.length !== entry.size) {
      throw new FormatError(`${fn}: zip: entry '${entry.name}' inflates to ${data.length} bytes, expected ${entry.size}`, entry.dataOffset);
    }
  }
  const crc = crc32(data);
  if (crc !== entry.crc) {
    throw new FormatError(
      `${fn}: zip: entry '${entry.name}' has CRC-32 ${crc.toString(16).padStart(8, '0')}, expected ${entry.crc.toString(16).padStart(8, '0')}`,
      entry.dataOffset,
    );
  }
  return data;
}
