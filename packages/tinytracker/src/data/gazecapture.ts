/**
 * GazeCapture (Krafka et al., CVPR 2016): parsing of the per-recording metadata JSON files into
 * samples, as `prepareDataset.py` compiles them into `metadata.mat`, and loading of face crops.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { type DecodedImage, FormatError, InvalidValueError, NotAvailableError, checkOptions, readImageFile } from '@lab/tensor';
import { checkInt, checkOneOf, show, withDefaults } from '../internal/checks';
import type { FaceGridBox } from './face-grid';

/** A box `[x, y, w, h]` in pixels of the full frame. @category Data */
export type PixelBox = readonly [x: number, y: number, w: number, h: number];

/** GazeCapture's split of a recording (`info.json` `Dataset`). @category Data */
export type GazeCaptureSplit = 'train' | 'val' | 'test';

/** One usable frame of GazeCapture, as a row of `metadata.mat`. @category Data */
export interface GazeCaptureSample {
  /** Recording number (`labelRecNum`), the folder name as an integer. */
  readonly recording: number;
  /** Frame number (`frameIndex`), from the file name `NNNNN.jpg`. */
  readonly frame: number;
  /** Split of the recording, from `info.json` (undefined when the file is absent). */
  readonly split: GazeCaptureSplit | undefined;
  /** Gaze point in cm, camera coordinates (`labelDotXCam`, `labelDotYCam`). */
  readonly gazeCm: readonly [number, number];
  /** Face box in the 25×25 grid (`labelFaceGrid`, 1-indexed). */
  readonly faceGrid: FaceGridBox;
  /** Face crop in frame pixels: Apple's box grown by one pixel left/top and right/bottom. */
  readonly faceBox: PixelBox;
  /** Left-eye crop in frame pixels (Apple's box is relative to the face; y moved up one pixel). */
  readonly leftEyeBox: PixelBox;
  /** Right-eye crop in frame pixels. */
  readonly rightEyeBox: PixelBox;
  /** Path of the full frame relative to the dataset root: `RRRRR/frames/FFFFF.jpg`. */
  readonly framePath: string;
  /** Path of the face crop in a processed dataset (`prepareDataset.py` output): `RRRRR/appleFace/FFFFF.jpg`. */
  readonly facePath: string;
}

/**
 * The metadata files of one recording, as JSON text or parsed objects. `info` is optional (the
 * split is then undefined); `screen.json` and `motion.json` are not needed.
 * @category Data
 */
export interface GazeCaptureRecordingFiles {
  /** `appleFace.json`: Apple's face box per frame (`X`, `Y`, `W`, `H`, `IsValid`). */
  readonly appleFace: unknown;
  /** `appleLeftEye.json`: the left-eye box per frame, relative to the face. */
  readonly appleLeftEye: unknown;
  /** `appleRightEye.json`: the right-eye box per frame, relative to the face. */
  readonly appleRightEye: unknown;
  /** `dotInfo.json`: the gaze target per frame (`XCam`, `YCam`, cm). */
  readonly dotInfo: unknown;
  /** `faceGrid.json`: the face grid box per frame. */
  readonly faceGrid: unknown;
  /** `frames.json`: the frame file names (`NNNNN.jpg`). */
  readonly frames: unknown;
  /** `info.json`: the recording's split (`Dataset`); optional. */
  readonly info?: unknown;
}

const FILES = ['appleFace', 'appleLeftEye', 'appleRightEye', 'dotInfo', 'faceGrid', 'frames', 'info'] as const;

function parseJson(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (e) {
    throw new FormatError(`GazeCapture: ${name}.json is not valid JSON (${(e as Error).message})`);
  }
}

function numbers(file: string, data: unknown, key: string, length?: number): number[] {
  const v = (data as Record<string, unknown> | null)?.[key];
  if (!Array.isArray(v) || !v.every((e) => typeof e === 'number' && Number.isFinite(e))) {
    throw new FormatError(`GazeCapture: ${file}.json must hold an array of numbers '${key}', got ${show(v)}`);
  }
  if (length !== undefined && v.length !== length) {
    throw new FormatError(`GazeCapture: ${file}.json '${key}' must have ${length} entries (one per frame), got ${v.length}`);
  }
  return v as number[];
}

/** `np.stack((X, Y, W, H), axis=1).astype(int)`: truncation toward zero. */
function boxes(file: string, data: unknown, n: number): number[][] {
  const [x, y, w, h] = ['X', 'Y', 'W', 'H'].map((k) => numbers(file, data, k, n));
  return x.map((_, i) => [Math.trunc(x[i]), Math.trunc(y[i]), Math.trunc(w[i]), Math.trunc(h[i])]);
}

/**
 * Turns one GazeCapture recording's metadata into samples, as `prepareDataset.py` does: frames
 * where the Apple face, both eye and the face-grid detections are all valid; face box grown by
 * `[−1, −1, +1, +1]` (compatibility with the MATLAB code); eye boxes moved up one pixel and made
 * relative to the frame; boxes truncated to integers; gaze from `dotInfo.json` `XCam`/`YCam`.
 * @param recording - the recording's folder name (`'00002'`) or number
 * @param files - the recording's JSON files (text or parsed), see {@link GazeCaptureRecordingFiles}
 * @returns the usable samples in frame order (no tensors)
 * @throws {@link "@lab/tensor"!FormatError | FormatError} naming the file and key for malformed JSON, missing arrays, or
 *   arrays whose length differs from `frames.json`; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad recording name
 * @see CSAILVision/GazeCapture README (file formats) and `pytorch/prepareDataset.py`
 * @example
 * ```ts
 * const samples = parseGazeCaptureRecording('00002', { appleFace, appleLeftEye, appleRightEye, dotInfo, faceGrid, frames, info });
 * samples[0].gazeCm; // [XCam, YCam] of the first valid frame
 * ```
 * @category Data
 */
export function parseGazeCaptureRecording(recording: string | number, files: GazeCaptureRecordingFiles): GazeCaptureSample[] {
  const fn = 'parseGazeCaptureRecording';
  const rec = typeof recording === 'string' && /^\d+$/.test(recording) ? Number(recording) : recording;
  if (typeof rec !== 'number' || !Number.isInteger(rec) || rec < 0) {
    throw new InvalidValueError(`${fn}: recording must be a folder name of digits or a non-negative integer, got ${show(recording)}`);
  }
  if (files === null || typeof files !== 'object') throw new InvalidValueError(`${fn}: files must be an object of the recording's JSON files`);
  checkOptions(fn, files, FILES);
  const parsed = Object.fromEntries(FILES.map((k) => [k, parseJson(k, files[k])])) as Record<(typeof FILES)[number], unknown>;
  const frames = parsed.frames;
  if (!Array.isArray(frames) || !frames.every((f) => typeof f === 'string')) {
    throw new FormatError(`GazeCapture: frames.json must be an array of file names, got ${show(frames)}`);
  }
  const n = frames.length;
  const frameNumbers = frames.map((f: string) => {
    const m = /(\d{5})\.jpg$/.exec(f);
    if (!m) throw new FormatError(`GazeCapture: frames.json entry '${f}' is not a NNNNN.jpg file name`);
    return Number(m[1]);
  });
  const valid = ['appleFace', 'appleLeftEye', 'appleRightEye', 'faceGrid'].map((k) => numbers(k, parsed[k as (typeof FILES)[number]], 'IsValid', n));
  const face = boxes('appleFace', parsed.appleFace, n).map(([x, y, w, h]) => [x - 1, y - 1, w + 1, h + 1]);
  const eye = (file: 'appleLeftEye' | 'appleRightEye'): number[][] =>
    boxes(file, parsed[file], n).map(([x, y, w, h], i) => [x + face[i][0], y - 1 + face[i][1], w, h]);
  const left = eye('appleLeftEye');
  const right = eye('appleRightEye');
  const grid = boxes('faceGrid', parsed.faceGrid, n);
  const xCam = numbers('dotInfo', parsed.dotInfo, 'XCam', n);
  const yCam = numbers('dotInfo', parsed.dotInfo, 'YCam', n);
  let split: GazeCaptureSplit | undefined;
  if (parsed.info !== undefined) {
    const dataset = (parsed.info as Record<string, unknown> | null)?.Dataset;
    if (dataset !== 'train' && dataset !== 'val' && dataset !== 'test') {
      throw new FormatError(`GazeCapture: info.json 'Dataset' must be 'train', 'val' or 'test', got ${show(dataset)}`);
    }
    split = dataset;
  }
  const id = String(rec).padStart(5, '0');
  const out: GazeCaptureSample[] = [];
  for (let j = 0; j < n; j++) {
    if (!valid.every((v) => v[j])) continue;
    const frame = String(frameNumbers[j]).padStart(5, '0');
    out.push({
      recording: rec,
      frame: frameNumbers[j],
      split,
      gazeCm: [xCam[j], yCam[j]],
      faceGrid: grid[j] as unknown as FaceGridBox,
      faceBox: face[j] as unknown as PixelBox,
      leftEyeBox: left[j] as unknown as PixelBox,
      rightEyeBox: right[j] as unknown as PixelBox,
      framePath: `${id}/frames/${frame}.jpg`,
      facePath: `${id}/appleFace/${frame}.jpg`,
    });
  }
  return out;
}

/** Options of {@link loadGazeCapture}. @category Data */
export interface LoadGazeCaptureOptions {
  /** Keep only this split (`'all'`: every recording, with or without `info.json`). @defaultValue 'all' */
  split?: GazeCaptureSplit | 'all';
}

/** Loads `node:fs/promises` and `node:path` lazily, so browser bundles never touch them. */
async function nodeModules(fn: string): Promise<{ fs: typeof import('node:fs/promises'); path: typeof import('node:path') }> {
  try {
    return { fs: await import('node:fs/promises'), path: await import('node:path') };
  } catch (e) {
    throw new NotAvailableError(`${fn}: needs Node's fs module, which is not available here (${(e as Error).message})`);
  }
}

/**
 * Reads a GazeCapture dataset folder (one `NNNNN/` folder per recording with its JSON files) and
 * returns its usable samples, recordings in name order. Node only.
 * @param root - the dataset folder
 * @param options - see {@link LoadGazeCaptureOptions}
 * @returns the samples (no tensors, no images read)
 * @throws {@link "@lab/tensor"!NotAvailableError | NotAvailableError} outside Node; {@link "@lab/tensor"!FormatError | FormatError} for a malformed file (named);
 *   the file system's error for a recording without its JSON files
 * @example
 * ```ts
 * const val = await loadGazeCapture('/data/GazeCapture', { split: 'val' });
 * ```
 * @category Data
 */
export async function loadGazeCapture(root: string, options: LoadGazeCaptureOptions = {}): Promise<GazeCaptureSample[]> {
  const fn = 'loadGazeCapture';
  if (typeof root !== 'string' || root === '') throw new InvalidValueError(`${fn}: root must be a non-empty path, got ${show(root)}`);
  checkOptions(fn, options, ['split']);
  const split = checkOneOf(fn, 'split', options.split ?? 'all', ['all', 'train', 'val', 'test']);
  const { fs, path } = await nodeModules(fn);
  const entries = await fs.readdir(root, { withFileTypes: true });
  const recordings = entries.filter((e) => e.isDirectory() && /^\d+$/.test(e.name)).map((e) => e.name).sort();
  const out: GazeCaptureSample[] = [];
  for (const rec of recordings) {
    const read = async (name: string, optional = false): Promise<string | undefined> => {
      try {
        return await fs.readFile(path.join(root, rec, `${name}.json`), 'utf8');
      } catch (e) {
        if (optional && (e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    };
    const files: Record<string, unknown> = {};
    for (const name of FILES) {
      const text = await read(name, name === 'info');
      if (text !== undefined) files[name] = text;
    }
    const samples = parseGazeCaptureRecording(rec, files as unknown as GazeCaptureRecordingFiles);
    out.push(...(split === 'all' ? samples : samples.filter((s) => s.split === split)));
  }
  return out;
}

/** Options of {@link cropFace} and {@link loadGazeCaptureFaces}; defaults in {@link CROP_FACE_DEFAULTS}. @category Data */
export interface CropFaceOptions {
  /** Side of the square output. @defaultValue 112 */
  size?: number;
  /** `'rgb'` or `'grey'` (ITU-R 601 luma, as `decode_jpeg(channels=1)`). @defaultValue 'rgb' */
  colour?: 'rgb' | 'grey';
}

/** Defaults of {@link CropFaceOptions}: TinyTracker's README input (112, RGB). @category Data */
export const CROP_FACE_DEFAULTS = Object.freeze({
  /** Default of {@link CropFaceOptions.size}. */
  size: 112,
  /** Default of {@link CropFaceOptions.colour}. */
  colour: 'rgb',
} as const);

/**
 * Cuts a box out of a decoded frame (zero outside the frame, as `cropImage` of
 * `prepareDataset.py`), resizes it bilinearly (half-pixel centres, as `tf.image.resize`) and
 * scales it to [−1, 1] (`x/127.5 − 1`), the input TinyTracker takes.
 * @param image - an 8-bit decoded frame (grey or RGB, alpha ignored)
 * @param box - `[x, y, w, h]` in pixels (e.g. `faceBox` of a sample); w, h ≥ 1
 * @param options - see {@link CropFaceOptions}
 * @returns `[size, size, 3 or 1]` float32; the caller disposes it
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad box, option or a 16-bit image
 * @example
 * ```ts
 * const face = cropFace(await readImageFile(path), sample.faceBox, { size: 112 });
 * ```
 * @category Data
 */
export function cropFace(image: DecodedImage, box: PixelBox, options: CropFaceOptions = {}): tf.Tensor3D {
  const fn = 'cropFace';
  checkOptions(fn, options, Object.keys(CROP_FACE_DEFAULTS));
  const o = withDefaults(CROP_FACE_DEFAULTS, options);
  checkInt(fn, 'size', o.size);
  checkOneOf(fn, 'colour', o.colour, ['rgb', 'grey']);
  if (!Array.isArray(box) || box.length !== 4 || !box.every((v) => Number.isInteger(v)) || box[2] < 1 || box[3] < 1) {
    throw new InvalidValueError(`${fn}: box must be [x, y, w, h] of integers with w, h >= 1, got ${show(box)}`);
  }
  if (image.bitDepth !== 8) throw new InvalidValueError(`${fn}: image must be 8-bit, got ${image.bitDepth}-bit`);
  const [bx, by, bw, bh] = box;
  const c = o.colour === 'rgb' ? 3 : 1;
  const crop = new Float32Array(bw * bh * c);
  const { width, height, channels, data } = image;
  for (let y = Math.max(0, by); y < Math.min(height, by + bh); y++) {
    for (let x = Math.max(0, bx); x < Math.min(width, bx + bw); x++) {
      const s = (y * width + x) * channels;
      const r = data[s];
      const g = channels >= 3 ? data[s + 1] : r;
      const b = channels >= 3 ? data[s + 2] : r;
      const d = ((y - by) * bw + (x - bx)) * c;
      if (c === 3) {
        crop[d] = r;
        crop[d + 1] = g;
        crop[d + 2] = b;
      } else {
        crop[d] = channels >= 3 ? 0.299 * r + 0.587 * g + 0.114 * b : r;
      }
    }
  }
  return tf.tidy(() => {
    const resized = tf.image.resizeBilinear(tf.tensor3d(crop, [bh, bw, c]), [o.size, o.size], false, true);
    return tf.sub(tf.div(resized, 127.5), 1) as tf.Tensor3D;
  });
}

/** Options of {@link loadGazeCaptureFaces}. @category Data */
export interface LoadGazeCaptureFacesOptions extends CropFaceOptions {
  /**
   * `'raw'`: read `framePath` and crop `faceBox`; `'processed'`: read the crop at `facePath`
   * (the output of `prepareDataset.py`) and resize it whole.
   * @defaultValue 'raw'
   */
  layout?: 'raw' | 'processed';
}

/**
 * Reads and crops the face images of samples into one batch for TinyTracker. Node only.
 * @param root - the dataset folder
 * @param samples - samples from {@link loadGazeCapture}
 * @param options - see {@link LoadGazeCaptureFacesOptions}
 * @returns `[n, size, size, 3 or 1]` float32 in [−1, 1]; the caller disposes it
 * @throws {@link "@lab/tensor"!NotAvailableError | NotAvailableError} outside Node; errors of `readImageFile` (missing or corrupt file) and {@link cropFace}
 * @example
 * ```ts
 * const faces = await loadGazeCaptureFaces(root, samples.slice(0, 32), { size: 112 });
 * ```
 * @category Data
 */
export async function loadGazeCaptureFaces(root: string, samples: readonly GazeCaptureSample[], options: LoadGazeCaptureFacesOptions = {}): Promise<tf.Tensor4D> {
  const fn = 'loadGazeCaptureFaces';
  checkOptions(fn, options, [...Object.keys(CROP_FACE_DEFAULTS), 'layout']);
  const layout = checkOneOf(fn, 'layout', options.layout ?? 'raw', ['raw', 'processed']);
  if (!Array.isArray(samples) || samples.length === 0) throw new InvalidValueError(`${fn}: samples must be a non-empty array`);
  const { path } = await nodeModules(fn);
  const crop = { size: options.size, colour: options.colour };
  const faces: tf.Tensor3D[] = [];
  try {
    for (const s of samples) {
      const image = await readImageFile(path.join(root, layout === 'raw' ? s.framePath : s.facePath));
      faces.push(cropFace(image, layout === 'raw' ? s.faceBox : [0, 0, image.width, image.height], crop));
    }
    return tf.stack(faces) as tf.Tensor4D;
  } finally {
    tf.dispose(faces);
  }
}
