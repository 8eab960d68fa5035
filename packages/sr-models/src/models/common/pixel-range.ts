/**
 * Pixel value ranges of super-resolution models.
 * @packageDocumentation
 */

/**
 * The value range of image tensors: `'0-1'` (RGB / 255, as IMDN is trained) or `'0-255'` (raw
 * 8-bit values as floats, as RFDN and RLFN are trained).
 * @category Models
 */
export type PixelRange = '0-1' | '0-255';

/** Every {@link PixelRange}. @category Models */
export const PIXEL_RANGES: readonly PixelRange[] = Object.freeze(['0-1', '0-255'] as const);
