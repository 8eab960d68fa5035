import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import {
  disposeStateDict,
  readTorchCheckpoint,
  readTorchCheckpointFile,
  readTorchStateDict,
  stateDictFromRaw,
  type RawTensor,
} from '../../../src/io/weights/index';
import { expectTensorDelta, sharedDataDir, useBackend } from '../../helpers';

const dataDir = sharedDataDir();
const dir = dataDir && join(dataDir, 'weights', 'ntire2022');

function load(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(dir!, name)));
}

function total(sd: Record<string, RawTensor>): number {
  return Object.values(sd).reduce((n, t) => n + t.data.length, 0);
}

describe.skipIf(!dir)('readTorchStateDict on NTIRE 2022 ESR checkpoints (skipped when shared/data/weights is absent)', () => {
  it('reads imdn_baseline.pth (legacy): 86 float32 tensors, 893,936 numbers, model.0.weight [64,3,3,3]', () => {
    const sd = readTorchStateDict(load('imdn_baseline.pth'));
    // 86 tensors and 893,936 params: published (spec §1.1, NTIRE 2022 ESR baseline)
    expect(Object.keys(sd)).toHaveLength(86);
    expect(total(sd)).toBe(893_936);
    expect(sd['model.0.weight'].dtype).toBe('F32');
    expect(sd['model.0.weight'].shape).toEqual([64, 3, 3, 3]);
    expect(sd['model.2.weight'].shape).toEqual([48, 64, 3, 3]);
    expect(Object.values(sd).every((t) => t.dtype === 'F32')).toBe(true);
  });

  // Element totals: published in the spec (NTIRE 2022 ESR model zoo parameter counts).
  it.each([
    ['team04_rlfn.pth', 317_218],
    ['team03_fmen.pth', 341_066],
    ['team18_bsrn.pth', 156_288],
    ['rfdn_baseline.pth', 433_448],
  ])('reads %s with %i elements in total', (name, count) => {
    expect(total(readTorchStateDict(load(name)))).toBe(count);
  });

  it("finds team18_bsrn.pth's weights nested under 'params'", () => {
    const ckpt = readTorchCheckpoint(load('team18_bsrn.pth'));
    expect(Object.keys(ckpt)).toEqual(['params']);
    expect(Object.keys(readTorchStateDict(load('team18_bsrn.pth'), { key: 'params' }))).toHaveLength(247);
  });

  it('decodes team04_rlfn.pth tensors identical to the raw storage records (checked with fflate)', () => {
    const bytes = load('team04_rlfn.pth');
    const sd = readTorchStateDict(bytes);
    const files = unzipSync(bytes);
    const storage0 = new Float32Array(files['archive/data/0'].slice().buffer);
    expect(sd['fea_conv.weight'].shape).toEqual([46, 3, 3, 3]);
    expect(sd['fea_conv.weight'].data).toEqual(storage0);
  });

  it('reads the file through readTorchCheckpointFile like the bytes', async () => {
    const a = await readTorchCheckpointFile(join(dir!, 'rfdn_baseline.pth'));
    const b = readTorchCheckpoint(load('rfdn_baseline.pth'));
    expect(Object.keys(a)).toEqual(Object.keys(b));
    expect((a['fea_conv.weight'] as RawTensor).data).toEqual((b['fea_conv.weight'] as RawTensor).data);
  });

  it('turns imdn_baseline.pth into 86 tfjs tensors and frees them all (numTensors unchanged)', async () => {
    await useBackend('wasm');
    const raw = readTorchStateDict(load('imdn_baseline.pth'));
    const dict = await expectTensorDelta(() => stateDictFromRaw(raw), 86);
    expect(dict['model.0.weight'].shape).toEqual([64, 3, 3, 3]);
    expect(tf.sum(dict['model.0.bias']).dataSync()[0]).toBeCloseTo(
      Array.from(raw['model.0.bias'].data as Float32Array).reduce((s, v) => s + v, 0),
      4,
    );
    await expectTensorDelta(() => disposeStateDict(dict), -86);
  });
});
