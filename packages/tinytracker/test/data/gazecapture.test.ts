import * as tf from '@tensorflow/tfjs-core';
import { FormatError, InvalidValueError } from '@lab/tensor';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { cropFace, loadGazeCapture, loadGazeCaptureFaces, parseGazeCaptureRecording } from '../../src/data/gazecapture';
import { expectTensorDelta, useBackend } from '../helpers';

const ROOT = fileURLToPath(new URL('../fixtures/gazecapture', import.meta.url));
const read = (rec: string, name: string): string => readFileSync(`${ROOT}/${rec}/${name}.json`, 'utf8');
const filesOf = (rec: string): Record<'appleFace' | 'appleLeftEye' | 'appleRightEye' | 'dotInfo' | 'faceGrid' | 'frames' | 'info', string> =>
  Object.fromEntries(['appleFace', 'appleLeftEye', 'appleRightEye', 'dotInfo', 'faceGrid', 'frames', 'info'].map((k) => [k, read(rec, k)])) as never;

describe('parseGazeCaptureRecording', () => {
  it('keeps frames with all four detections valid and derives boxes as prepareDataset.py (fixture 00002)', () => {
    const s = parseGazeCaptureRecording('00002', filesOf('00002'));
    expect(s.map((e) => e.frame)).toEqual([0, 2]); // frame 1 has no face detection
    // frame 0: face X 10.9 → 10, Y 5.2 → 5, W/H 20.6 → 20, grown by [−1, −1, +1, +1] → [9, 4, 21, 21];
    // left eye [12, 5, 5.5 → 5, 4] moved up 1 → [12, 4, 5, 4], plus the face origin → [21, 8, 5, 4].
    expect(s[0]).toEqual({
      recording: 2,
      frame: 0,
      split: 'train',
      gazeCm: [1.064, -6.81],
      faceGrid: [9, 6, 11, 11],
      faceBox: [9, 4, 21, 21],
      leftEyeBox: [21, 8, 5, 4],
      rightEyeBox: [12, 8, 5, 4],
      framePath: '00002/frames/00000.jpg',
      facePath: '00002/appleFace/00000.jpg',
    });
    // frame 2: face [12, 6, 18, 18] → [11, 5, 19, 19]; right eye [2, 4, 5, 4] → [2, 3] + [11, 5] = [13, 8, 5, 4].
    expect(s[1]).toMatchObject({ faceBox: [11, 5, 19, 19], rightEyeBox: [13, 8, 5, 4], gazeCm: [-2.5, -12.25], faceGrid: [10, 7, 10, 10] });
  });

  it('accepts parsed objects, and leaves the split undefined without info.json', () => {
    const files = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(filesOf('00005')).map(([k, v]) => [k, JSON.parse(v as string)]))));
    delete files.info;
    const s = parseGazeCaptureRecording(5, files);
    expect(s).toHaveLength(1); // frame 1 has no face grid
    expect(s[0].split).toBeUndefined();
  });

  it('names the file and key of malformed metadata', () => {
    const files = { ...filesOf('00002'), dotInfo: JSON.stringify({ XCam: [1, 2], YCam: [1, 2, 3] }) };
    expect(() => parseGazeCaptureRecording('00002', files)).toThrow(FormatError);
    expect(() => parseGazeCaptureRecording('00002', files)).toThrow(/dotInfo.json 'XCam' must have 3 entries \(one per frame\), got 2/);
    expect(() => parseGazeCaptureRecording('00002', { ...filesOf('00002'), faceGrid: '{bad' })).toThrow(/faceGrid.json is not valid JSON/);
    expect(() => parseGazeCaptureRecording('abc', filesOf('00002'))).toThrow(InvalidValueError);
  });
});

describe('loadGazeCapture', () => {
  it('reads every recording folder in order and filters by split (fixture: 2 train + 1 val samples)', async () => {
    const all = await loadGazeCapture(ROOT);
    expect(all.map((s) => [s.recording, s.frame, s.split])).toEqual([
      [2, 0, 'train'],
      [2, 2, 'train'],
      [5, 0, 'val'],
    ]);
    expect((await loadGazeCapture(ROOT, { split: 'val' })).map((s) => s.recording)).toEqual([5]);
    await expect(loadGazeCapture(ROOT, { split: 'dev' as never })).rejects.toThrow(/split must be one of/);
  });
});

describe('cropFace', () => {
  beforeAll(() => useBackend('cpu'));

  it('crops with zeros outside the frame and scales to [−1, 1] (17×17 box at (−1, −1), no resize)', async () => {
    const image = { width: 40, height: 30, channels: 3 as const, bitDepth: 8 as const, data: new Uint8Array(40 * 30 * 3) };
    for (let y = 0; y < 30; y++) for (let x = 0; x < 40; x++) image.data.set([4 * x, 8 * y, 100], (y * 40 + x) * 3);
    const t = await expectTensorDelta(() => cropFace(image, [-1, -1, 17, 17], { size: 17 }), 1);
    const v = await t.data();
    t.dispose();
    const at = (row: number, col: number) => Array.from(v.slice((row * 17 + col) * 3, (row * 17 + col) * 3 + 3));
    expect(at(0, 0)).toEqual([-1, -1, -1]); // outside the frame
    expect(at(1, 1)[2]).toBeCloseTo(100 / 127.5 - 1, 6); // frame (0, 0)
    const p = at(3, 5); // frame (x 4, y 2): R 16, G 16, B 100
    expect(p[0]).toBeCloseTo(16 / 127.5 - 1, 6);
    expect(p[1]).toBeCloseTo(16 / 127.5 - 1, 6);
    const grey = cropFace(image, [-1, -1, 17, 17], { size: 17, colour: 'grey' });
    expect(grey.shape).toEqual([17, 17, 1]);
    expect((await grey.data())[3 * 17 + 5]).toBeCloseTo((0.299 * 16 + 0.587 * 16 + 0.114 * 100) / 127.5 - 1, 5);
    grey.dispose();
  });

  it('rejects a bad box', () => {
    const image = { width: 2, height: 2, channels: 1 as const, bitDepth: 8 as const, data: new Uint8Array(4) };
    expect(() => cropFace(image, [0, 0, 0, 2], {})).toThrow(/cropFace: box must be \[x, y, w, h\] of integers with w, h >= 1/);
  });
});

describe('loadGazeCaptureFaces', () => {
  beforeAll(() => useBackend('cpu'));

  it('reads the frames and crops each face box to [n, s, s, 3]', async () => {
    const samples = await loadGazeCapture(ROOT);
    const faces = await expectTensorDelta(() => loadGazeCaptureFaces(ROOT, samples, { size: 8 }), 1);
    expect(faces.shape).toEqual([3, 8, 8, 3]);
    // Blue is 100 inside every frame and each face box lies inside its frame except 00005's first row/column.
    const b = tf.tidy(() => tf.slice(faces, [0, 0, 0, 2], [2, 8, 8, 1]));
    expect(Array.from(await b.data()).every((x) => Math.abs(x - (100 / 127.5 - 1)) < 1e-5)).toBe(true);
    tf.dispose([b, faces]);
  });
});
