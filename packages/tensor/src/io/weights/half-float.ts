/**
 * IEEE 754 binary16 (F16) and bfloat16 (BF16) conversions to and from float32.
 * Internal to the weight readers and writers.
 *
 * Encoding rounds to nearest, ties to even, like `torch.Tensor.half()` / `.bfloat16()`:
 * overflow gives ±Infinity, NaN stays NaN (quiet), and results below the smallest F16
 * subnormal (2^-24) round to ±0.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The F16 bit pattern nearest to `x` (ties to even). */
export function float32ToFloat16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 112; // re-biased exponent: 127 → 15
  if (e >= 31) return sign | 0x7c00;
  if (e >= 1) {
    // Normal: keep 10 mantissa bits, round the 13 dropped ones. A carry into the exponent is
    // correct (it also turns 65520 and above into Infinity).
    let half = (e << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
    return sign | half;
  }
  // Subnormal or zero: value = m · 2^(exp-150); in units of 2^-24 that is m >> (126 - exp).
  if (exp === 0) return sign; // float32 subnormals are far below 2^-25
  const m = mant | 0x800000;
  const shift = 14 - e; // 14 … (for e ≤ 0)
  if (shift > 24) return sign;
  let q = m >>> shift;
  const rest = m & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  if (rest > halfway || (rest === halfway && (q & 1) === 1)) q++;
  return sign | q;
}

/** The float32 value of the F16 bit pattern `h` (exact). */
export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/** The BF16 bit pattern nearest to `x` (ties to even). */
export function float32ToBfloat16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return (bits >>> 16) | 0x40;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** The float32 value of the BF16 bit pattern `b` (exact). */
export function bfloat16BitsToFloat32(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0];
}

/** Decodes little-endian F16 values into float32. */
export function decodeFloat16(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = float16BitsToFloat32(src[i]);
  return out;
}

/** Decodes little-endian BF16 values into float32. */
export function decodeBfloat16(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  const o32 = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) o32[i] = src[i] << 16;
  return out;
}

/** Encodes float values as F16 bit patterns. */
export function encodeFloat16(src: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = float32ToFloat16Bits(src[i]);
  return out;
}

/** Encodes float values as BF16 bit patterns. */
export function encodeBfloat16(src: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = float32ToBfloat16Bits(src[i]);
  return out;
}
