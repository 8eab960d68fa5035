/**
 * A minimal protocol-buffers encoder: varints, fixed 32-bit floats, length-delimited fields and
 * packed repeated fields — the wire types ONNX's messages use.
 * @packageDocumentation
 */

const textEncoder = new TextEncoder();

/** Appends protobuf fields to a growing byte buffer. @internal */
export class ProtobufWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  /** Writes an unsigned or two's-complement 64-bit varint (negative numbers take ten bytes). */
  varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    if (v < 0x80n) {
      this.byte(Number(v));
      return;
    }
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** A varint field (int32, int64, enum). */
  int(field: number, value: number | bigint): void {
    this.tag(field, 0);
    this.varint(value);
  }

  /** A 32-bit float field. */
  float(field: number, value: number): void {
    this.tag(field, 5);
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setFloat32(0, value, true);
    this.len += 4;
  }

  /** A length-delimited field holding raw bytes. */
  bytes(field: number, value: Uint8Array): void {
    this.tag(field, 2);
    this.varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.len);
    this.len += value.length;
  }

  /** A UTF-8 string field. */
  string(field: number, value: string): void {
    this.bytes(field, textEncoder.encode(value));
  }

  /** An embedded message field, written by `write` into a fresh writer. */
  message(field: number, write: (w: ProtobufWriter) => void): void {
    const inner = new ProtobufWriter();
    write(inner);
    this.bytes(field, inner.finish());
  }

  /** A packed repeated varint field. */
  packedInts(field: number, values: readonly (number | bigint)[]): void {
    const inner = new ProtobufWriter();
    for (const v of values) inner.varint(v);
    this.bytes(field, inner.finish());
  }

  /** A packed repeated float field. */
  packedFloats(field: number, values: readonly number[]): void {
    const data = new Uint8Array(values.length * 4);
    const view = new DataView(data.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    this.bytes(field, data);
  }

  /** The bytes written so far (a view; do not write afterwards). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}
