/**
 * Connected components of a binary mask (internal; the concept count's blob counter).
 * @packageDocumentation
 */

/** Pixel connectivity of a blob: 4 (edges) or 8 (edges and corners). @category Analysis */
export type Connectivity = 4 | 8;

/**
 * Number of connected components of the non-zero pixels of a row-major `height × width` mask,
 * by an iterative flood fill with an explicit stack. 8-connectivity matches OpenCV's
 * `findContours` on the outer borders of foreground blobs.
 */
export function countComponents(mask: ArrayLike<number>, height: number, width: number, connectivity: Connectivity): number {
  const seen = new Uint8Array(height * width);
  const stack = new Int32Array(height * width);
  const dr = connectivity === 8 ? [-1, -1, -1, 0, 0, 1, 1, 1] : [-1, 0, 0, 1];
  const dc = connectivity === 8 ? [-1, 0, 1, -1, 1, -1, 0, 1] : [0, -1, 1, 0];
  let count = 0;
  for (let start = 0; start < height * width; start++) {
    if (mask[start] === 0 || seen[start]) continue;
    count++;
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    while (top > 0) {
      const p = stack[--top];
      const r = (p / width) | 0;
      const c = p - r * width;
      for (let k = 0; k < dr.length; k++) {
        const rr = r + dr[k];
        const cc = c + dc[k];
        if (rr < 0 || rr >= height || cc < 0 || cc >= width) continue;
        const q = rr * width + cc;
        if (mask[q] !== 0 && !seen[q]) {
          seen[q] = 1;
          stack[top++] = q;
        }
      }
    }
  }
  return count;
}
