import { describe, expect, it } from 'vitest';
import { ProtobufWriter } from '../../src/proto/protobuf-writer';

describe('ProtobufWriter', () => {
  it('encodes varint 150 in field 1 as 08 96 01 (protobuf encoding guide)', () => {
    const w = new ProtobufWriter();
    w.int(1, 150);
    expect([...w.finish()]).toEqual([0x08, 0x96, 0x01]);
  });

  it('encodes -1 as a ten-byte two\'s-complement varint', () => {
    const w = new ProtobufWriter();
    w.varint(-1);
    expect([...w.finish()]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it('encodes the string "testing" in field 2 as 12 07 74 65 73 74 69 6e 67 (protobuf encoding guide)', () => {
    const w = new ProtobufWriter();
    w.string(2, 'testing');
    expect([...w.finish()]).toEqual([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]);
  });

  it('encodes float 1.0 in field 2 as 15 00 00 80 3f (fixed32, little-endian)', () => {
    const w = new ProtobufWriter();
    w.float(2, 1);
    expect([...w.finish()]).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
  });

  it('packs repeated ints [3, 270, 86942] in field 4 as 22 06 03 8e 02 9e a7 05 (protobuf encoding guide)', () => {
    const w = new ProtobufWriter();
    w.packedInts(4, [3, 270, 86942]);
    expect([...w.finish()]).toEqual([0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05]);
  });

  it('grows past its initial buffer and nests messages with their length', () => {
    const w = new ProtobufWriter();
    const big = new Uint8Array(1000).fill(7);
    w.message(3, (m) => m.bytes(1, big));
    const out = w.finish();
    // 1a (field 3, wire type 2), length 1003 = eb 07, then 0a (field 1) e8 07 (1000), then the bytes.
    expect([...out.subarray(0, 5)]).toEqual([0x1a, 0xeb, 0x07, 0x0a, 0xe8]);
    expect(out.length).toBe(3 + 1003);
    expect(out[out.length - 1]).toBe(7);
  });
});
