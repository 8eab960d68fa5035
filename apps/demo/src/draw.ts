/**
 * Drawing helpers of the page: maps and images into canvases.
 * @packageDocumentation
 */
import type { Rgba } from './protocol';

/** Diverging colour of a value in [−1, 1]: red positive, blue negative, white 0. */
export function diverging(v: number): [number, number, number] {
  const t = Math.max(-1, Math.min(1, v));
  const fade = Math.round(255 * (1 - Math.abs(t)));
  return t >= 0 ? [255, fade, fade] : [fade, fade, 255];
}

function put(canvas: HTMLCanvasElement, width: number, height: number, pixel: (p: number) => [number, number, number]): void {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(width, height);
  for (let p = 0; p < width * height; p++) {
    const [r, g, b] = pixel(p);
    img.data[p * 4] = r;
    img.data[p * 4 + 1] = g;
    img.data[p * 4 + 2] = b;
    img.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** RGB samples 0–255. */
export function drawRgb(canvas: HTMLCanvasElement, width: number, height: number, rgb: Uint8Array): void {
  put(canvas, width, height, (p) => [rgb[p * 3], rgb[p * 3 + 1], rgb[p * 3 + 2]]);
}

/** A signed map, scaled to its own max |value|. Returns that maximum. */
export function drawSigned(canvas: HTMLCanvasElement, width: number, height: number, map: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < map.length; i++) max = Math.max(max, Math.abs(map[i]));
  put(canvas, width, height, (p) => diverging(max > 0 ? map[p] / max : 0));
  return max;
}

/** Feature pixels (gt ≠ 0): green where the attribution has the ground truth's sign, red elsewhere. */
export function drawAgreement(canvas: HTMLCanvasElement, width: number, height: number, attribution: ArrayLike<number>, gt: ArrayLike<number>): void {
  put(canvas, width, height, (p) => {
    if (gt[p] === 0) return [236, 236, 236];
    return Math.sign(attribution[p]) === Math.sign(gt[p]) ? [34, 160, 74] : [214, 48, 49];
  });
}

export function drawRgba(canvas: HTMLCanvasElement, image: Rgba): void {
  canvas.width = image.width;
  canvas.height = image.height;
  const data = new Uint8ClampedArray(image.data.length);
  data.set(image.data);
  canvas.getContext('2d')!.putImageData(new ImageData(data, image.width, image.height), 0, 0);
}

/**
 * A synthetic test image (no download, no shared data): gradients, rings, stripes of rising
 * frequency and text, the kind of content that shows the difference between bicubic and a network.
 */
export function sampleImage(width = 160, height = 112): Rgba {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  const sky = ctx.createLinearGradient(0, 0, 0, height);
  sky.addColorStop(0, '#1d4e89');
  sky.addColorStop(1, '#f3b562');
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, width, height);
  // Rings.
  for (let r = 30; r > 0; r -= 5) {
    ctx.beginPath();
    ctx.arc(width * 0.78, height * 0.38, r, 0, Math.PI * 2);
    ctx.fillStyle = r % 10 === 0 ? '#f6f1d1' : '#e4572e';
    ctx.fill();
  }
  // Stripes of rising frequency.
  for (let x = 4, w = 4; x < width * 0.55; x += 2 * w, w = Math.max(1, w - 0.4)) {
    ctx.fillStyle = '#101820';
    ctx.fillRect(x, height * 0.62, w, height * 0.3);
  }
  // Text.
  ctx.fillStyle = '#ffffff';
  ctx.font = 'bold 22px sans-serif';
  ctx.fillText('lab ×4', 8, 28);
  ctx.font = '10px sans-serif';
  ctx.fillText('super-resolution', 10, 44);
  // A checkerboard patch.
  for (let y = 0; y < 16; y++) {
    for (let x = 0; x < 16; x++) {
      ctx.fillStyle = (Math.floor(x / 2) + Math.floor(y / 2)) % 2 === 0 ? '#000' : '#fff';
      ctx.fillRect(width - 24 + x, height - 22 + y, 1, 1);
    }
  }
  const d = ctx.getImageData(0, 0, width, height);
  return { width, height, data: d.data };
}
